package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * voterImport writes the registry every client reads: only registrar (and admin) keys may submit
 * it, a scoped registrar only for its counties. The worker checks the key again when it runs.
 */
class RegistrarSubmissionTests extends ApiTestBase {

  @Test
  void aClientKeyGets403ProblemForVoterImportAndNoReport() {
    Api client = newClient();

    Api.Response r = client.submit(voterImport(client, "Kings"));

    assertProblem(r, ProblemType.FORBIDDEN);
    assertThat(r.json().get("detail").asString()).contains("registrar");
    assertThat(reports(client)).isZero();
  }

  @Test
  void aScopedRegistrarGets403NamingTheCountyOutsideItsScope() {
    Api albany = registrar("Albany");

    Api.Response kings = albany.submit(voterImport(albany, "Kings"));
    Api.Response own = albany.submit(voterImport(albany, "albany"));

    assertProblem(kings, ProblemType.FORBIDDEN);
    assertThat(kings.json().get("errors").findValuesAsString("field"))
        .containsExactly("parameters.county");
    assertThat(own.status()).as(own.toString()).isEqualTo(202);
    assertThat(reports(albany)).isEqualTo(1);
  }

  @Test
  void unscopedRegistrarsAndAdminsImportAnyCountyAndEveryKeyReadsReports() {
    for (Api key : new Api[] {newClient(Role.REGISTRAR), newClient(Role.ADMIN)}) {
      assertThat(key.submit(voterImport(key, "Kings")).status()).isEqualTo(202);
      assertThat(key.get("/api/reports").status()).isEqualTo(200);
    }
    Api scoped = registrar("Albany");
    assertThat(scoped.submitVoterList()).isNotBlank();
  }

  private Api registrar(String... counties) {
    Api client = newClient(Role.REGISTRAR);
    jdbc.sql("UPDATE api_clients SET registry_counties = :counties WHERE id = :id")
        .param("counties", counties)
        .param("id", client.clientId())
        .update();
    return client;
  }

  private static String voterImport(Api client, String county) {
    String upload =
        client
            .post(
                "/api/uploads?filename=voters.csv",
                "id,name\n1,Ada\n",
                Map.of("Content-Type", "text/csv"))
            .json()
            .get("uploadId")
            .asString();
    return "{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\""
        + upload
        + "\",\"county\":\""
        + county
        + "\"}}";
  }

  private long reports(Api client) {
    return jdbc.sql("SELECT count(*) FROM reports WHERE owner_id = :owner")
        .param("owner", client.clientId())
        .query(Long.class)
        .single();
  }
}
