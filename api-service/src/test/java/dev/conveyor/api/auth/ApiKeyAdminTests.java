package dev.conveyor.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.web.ProblemType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/admin/api-keys}: admins create keys with a role and a registrar's counties. */
class ApiKeyAdminTests extends ApiTestBase {

  @Test
  void createsARegistrarScopedToCountiesAsTheRegistrySpellsThem() {
    Api admin = newClient(Role.ADMIN);
    String name = "registrar-" + System.nanoTime();

    Api.Response r =
        admin.post(
            "/api/admin/api-keys",
            "{\"name\":\""
                + name
                + "\",\"role\":\"registrar\",\"counties\":[\"albany\",\" Kings \",\"ALBANY\"]}");

    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).contains("no-store");
    JsonNode created = r.json();
    assertThat(created.get("name").asString()).isEqualTo(name);
    assertThat(created.get("role").asString()).isEqualTo("registrar");
    assertThat(created.get("counties").toString()).isEqualTo("[\"Albany\",\"Kings\"]");
    assertThat(created.get("webhookSecret").asString()).startsWith("whsec_");
    String key = created.get("key").asString();
    assertThat(new Api(port, key).get("/api/reports").status()).isEqualTo(200);
    assertThat(
            jdbc.sql(
                    "SELECT role || ' ' || registry_counties::text FROM api_clients WHERE id = :id")
                .param("id", created.get("clientId").asLong())
                .query(String.class)
                .single())
        .isEqualTo("registrar {Albany,Kings}");
  }

  @Test
  void aRegistrarWithoutCountiesWritesEveryCountyAndTheRoleDefaultsToClient() {
    Api admin = newClient(Role.ADMIN);

    JsonNode registrar =
        admin
            .post(
                "/api/admin/api-keys",
                "{\"name\":\"r-" + System.nanoTime() + "\",\"role\":\"registrar\"}")
            .json();
    JsonNode client =
        admin.post("/api/admin/api-keys", "{\"name\":\"c-" + System.nanoTime() + "\"}").json();

    assertThat(registrar.get("counties").isNull()).isTrue();
    assertThat(client.get("role").asString()).isEqualTo("client");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          county not in the registry | {"name":"NAME","role":"registrar","counties":["Albany","Kigns"]} | counties[1]
          counties of a client       | {"name":"NAME","role":"client","counties":["Albany"]}           | counties
          counties of an admin       | {"name":"NAME","role":"admin","counties":["Albany"]}            | counties
          no county                  | {"name":"NAME","role":"registrar","counties":[]}                | counties
          unknown role               | {"name":"NAME","role":"root"}                                   | role
          no name                    | {"role":"client"}                                               | name
          blank name                 | {"name":" ","role":"client"}                                    | name
          name taken                 | {"name":"bootstrap","role":"client"}                            | name
          """)
  void invalidInputIs422ProblemNamingTheField(String why, String body, String field) {
    String name = "k-" + System.nanoTime();

    Api.Response r = newClient(Role.ADMIN).post("/api/admin/api-keys", body.replace("NAME", name));

    assertProblem(r, ProblemType.VALIDATION);
    assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly(field);
    assertThat(r.body()).doesNotContain("cvk_", "whsec_");
    assertThat(
            jdbc.sql("SELECT count(*) FROM api_clients WHERE name = :name")
                .param("name", name)
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void countiesThatAreNoListAre400NamingThem() {
    Api.Response r =
        newClient(Role.ADMIN)
            .post(
                "/api/admin/api-keys",
                "{\"name\":\"k-" + System.nanoTime() + "\",\"counties\":{\"a\":1}}");

    assertProblem(r, ProblemType.BAD_REQUEST);
    assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("counties");
  }

  @Test
  void clientAndRegistrarKeysAreRefused() {
    String body = "{\"name\":\"x-" + System.nanoTime() + "\",\"role\":\"admin\"}";

    for (Api caller : new Api[] {newClient(), newClient(Role.REGISTRAR)}) {
      Api.Response r = caller.post("/api/admin/api-keys", body);
      assertProblem(r, ProblemType.FORBIDDEN);
    }
  }
}
