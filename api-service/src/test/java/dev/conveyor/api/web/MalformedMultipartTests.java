package dev.conveyor.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/uploads} with a multipart body that cannot be used: each is a 400 problem whose
 * {@code errors} name what is wrong (the header, the body or the part), never a 500, and nothing is
 * stored.
 */
class MalformedMultipartTests extends ApiTestBase {

  private static final String BOUNDARY = "conveyor-malformed-9c1e";
  private static final String FORM = "multipart/form-data; boundary=" + BOUNDARY;
  private static final String CSV = "state_voter_id,last_name\r\nNY1,Doe\r\n";
  private static final String DISPOSITION =
      "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n";

  @Test
  void aContentTypeWithoutBoundaryNamesTheHeader() {
    Api client = newClient();

    for (String type :
        new String[] {"multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed"}) {
      assertProblem(client, type, part(DISPOSITION, CSV) + end(), "Content-Type", "boundary");
    }
  }

  @Test
  void aBodyCutOffBeforeItsClosingBoundaryNamesTheBody() {
    Api client = newClient();
    String whole = part(DISPOSITION, CSV) + end();

    // Cut in the content, in the middle of a part's headers, and just before the last boundary.
    assertProblem(client, FORM, whole.substring(0, whole.indexOf("NY1")), "body", "cut off");
    assertProblem(client, FORM, whole.substring(0, 50), "body", "cut off");
    assertProblem(client, FORM, part(DISPOSITION, CSV), "body", "closing boundary");
  }

  @Test
  void partHeadersThatNeverEndNameTheBody() {
    Api client = newClient();
    String endless = "--" + BOUNDARY + "\r\n" + DISPOSITION + "X-Padding: " + "a".repeat(12_000);

    assertProblem(client, FORM, endless + "\r\n\r\n" + CSV + "\r\n" + end(), "body", "header");
  }

  @Test
  void partsThatAreNotTheFileNameTheFilePart() {
    Api client = newClient();

    // Wrong name; no parts at all; a header line without its colon (ignored, so the part has no
    // name); no Content-Disposition; an empty body.
    assertProblem(
        client,
        FORM,
        part(DISPOSITION.replace("\"file\"", "\"upload\""), CSV) + end(),
        "file",
        "is missing");
    assertProblem(client, FORM, end(), "file", "is missing");
    assertProblem(
        client,
        FORM,
        part(DISPOSITION.replace("Disposition:", "Disposition"), CSV) + end(),
        "file",
        "is missing");
    assertProblem(
        client, FORM, part("Content-Type: text/csv\r\n", CSV) + end(), "file", "is missing");
    assertProblem(client, FORM, "", "file", "is missing");
  }

  @Test
  void anEmptyFilePartIsNamed() {
    assertProblem(newClient(), FORM, part(DISPOSITION, "") + end(), "file", "is empty");
  }

  @Test
  void aFilePartWithoutFilenameIsNamedAsAFormField() {
    assertProblem(
        newClient(),
        FORM,
        part("Content-Disposition: form-data; name=\"file\"\r\n", CSV) + end(),
        "file",
        "no filename");
  }

  private void assertProblem(
      Api client, String type, String body, String field, String messagePart) {
    Api.Response r = client.post("/api/uploads", body, Map.of("Content-Type", type));

    assertThat(r.status()).as(type + " " + r).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly(field);
    assertThat(r.json().get("errors").get(0).get("message").asString()).contains(messagePart);
    assertThat(r.body()).doesNotContain("Exception", "tomcat", "reference");
    assertThat(artifactsOf(client)).isZero();
  }

  private static String part(String headers, String content) {
    return "--" + BOUNDARY + "\r\n" + headers + "\r\n" + content + "\r\n";
  }

  private static String end() {
    return "--" + BOUNDARY + "--\r\n";
  }
}
