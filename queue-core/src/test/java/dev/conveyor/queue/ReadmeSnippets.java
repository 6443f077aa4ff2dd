package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;

/**
 * Checks that a README's {@code java} blocks are the regions of a test class, in order: each region
 * is the code between {@code // README:<name>-begin} and {@code // README:<name>-end}, compared
 * without its common indentation. README snippets thus always compile and run.
 */
final class ReadmeSnippets {

  private static final Pattern MARKER = Pattern.compile("\\s*// README:([\\w-]+)-(begin|end)");

  private ReadmeSnippets() {}

  /** Fails, naming the snippet and both texts, where {@code readme} and {@code source} differ. */
  static void assertBlocksAreRegions(Path readme, Path source) throws IOException {
    List<Block> blocks = javaBlocks(Files.readAllLines(readme));
    Map<String, String> regions = regions(Files.readAllLines(source));

    assertThat(blocks)
        .as(
            "java blocks in %s (at lines %s) and README regions in %s (%s)",
            readme, blocks.stream().map(Block::line).toList(), source, regions.keySet())
        .hasSameSizeAs(regions.keySet());
    SoftAssertions softly = new SoftAssertions();
    int i = 0;
    for (Map.Entry<String, String> region : regions.entrySet()) {
      Block block = blocks.get(i++);
      softly
          .assertThat(block.code())
          .withFailMessage(
              "README snippet '%s' differs from its test.%n--- %s, block at line %d:%n%s%n"
                  + "--- %s, region '%s':%n%s",
              region.getKey(),
              readme,
              block.line(),
              block.code(),
              source.getFileName(),
              region.getKey(),
              region.getValue())
          .isEqualTo(region.getValue());
    }
    softly.assertAll();
  }

  /** A README code block and the line of its opening fence. */
  record Block(int line, String code) {}

  private static List<Block> javaBlocks(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```java")) {
        int start = i;
        while (!lines.get(++i).strip().equals("```")) {}
        blocks.add(new Block(start + 1, dedent(lines.subList(start + 1, i))));
      }
    }
    return blocks;
  }

  private static Map<String, String> regions(List<String> lines) {
    Map<String, String> regions = new LinkedHashMap<>();
    String open = null;
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = MARKER.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      if (m.group(2).equals("begin")) {
        assertThat(open).as("region %s begins inside region %s", m.group(1), open).isNull();
        open = m.group(1);
        start = i + 1;
      } else {
        assertThat(m.group(1)).as("end of region at line %d", i + 1).isEqualTo(open);
        regions.put(open, dedent(lines.subList(start, i)));
        open = null;
      }
    }
    assertThat(open).as("region without an end").isNull();
    return regions;
  }

  /** The lines without their common indentation and trailing spaces. */
  private static String dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return String.join(
        "\n",
        lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing()).toList());
  }
}
