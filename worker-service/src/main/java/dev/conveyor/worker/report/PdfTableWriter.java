package dev.conveyor.worker.report;

import java.io.OutputStream;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openpdf.text.Document;
import org.openpdf.text.Paragraph;
import org.openpdf.text.pdf.PdfPTable;

/**
 * Tables as a PDF document: a title and a few subtitle lines, then each table with its header row
 * repeated on every page. Tables are OpenPDF "large elements": the rows added so far are laid out
 * and released every {@value #ADD_EVERY} rows, so memory stays bounded whatever the row count.
 */
final class PdfTableWriter implements TableWriter {

  private static final int ADD_EVERY = 100;

  private final Document document;
  private final float[] widths;
  private @Nullable PdfPTable table;
  private int pending;

  /**
   * @param widths the columns' relative widths, one per header name
   */
  PdfTableWriter(OutputStream out, String title, List<String> subtitle, float[] widths) {
    this.document = PdfDocuments.open(out, title);
    this.widths = widths.clone();
    document.add(new Paragraph(title, PdfDocuments.TITLE));
    for (String line : subtitle) {
      document.add(new Paragraph(line, PdfDocuments.TEXT));
    }
  }

  @Override
  public void header(List<String> names) {
    if (names.size() != widths.length) {
      throw new IllegalArgumentException(
          names.size() + " columns but " + widths.length + " widths");
    }
    PdfPTable t = new PdfPTable(widths);
    t.setWidthPercentage(100);
    t.setSpacingBefore(8);
    t.setHeaderRows(1);
    t.setComplete(false);
    for (String name : names) {
      t.addCell(PdfDocuments.headerCell(name));
    }
    table = t;
    pending = 0;
  }

  @Override
  public void row(List<@Nullable Object> values) {
    PdfPTable t = currentTable();
    for (Object value : values) {
      t.addCell(PdfDocuments.cell(text(value), PdfDocuments.TEXT));
    }
    if (++pending == ADD_EVERY) {
      document.add(t);
      pending = 0;
    }
  }

  @Override
  public void nextTable(String name) {
    finishTable();
    Paragraph heading = new Paragraph(name, PdfDocuments.TITLE);
    heading.setSpacingBefore(12);
    document.add(heading);
  }

  @Override
  public void close() {
    finishTable();
    document.close();
  }

  private void finishTable() {
    if (table != null) {
      if (table.size() <= table.getHeaderRows()) {
        // OpenPDF leaves out a table of header rows only; an empty table still shows its header,
        // as CSV and XLSX do, so it counts that row as a body row.
        table.setHeaderRows(0);
      }
      table.setComplete(true);
      document.add(table);
      table = null;
    }
  }

  private PdfPTable currentTable() {
    if (table == null) {
      throw new IllegalStateException("header() first");
    }
    return table;
  }

  private static @Nullable String text(@Nullable Object value) {
    return switch (value) {
      case null -> null;
      case LocalDate d -> d.toString();
      default -> value.toString();
    };
  }
}
