package dev.conveyor.api.auth;

import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/admin/api-keys}: creates an API client, as the {@code create-api-key} command
 * does. Spring Security lets only admin keys reach it ({@code auth.SecurityConfiguration}). The
 * answer carries the key and the webhook signing secret, once; only the key's hash is stored.
 */
@RestController
@RequestMapping(path = "/api/admin/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
class ApiKeyController {

  private final ApiKeys keys;

  ApiKeyController(ApiKeys keys) {
    this.keys = keys;
  }

  /**
   * @param name the client's name, unique, 1 to 100 characters
   * @param role client (default), registrar or admin
   * @param counties a registrar's county scope, names of the registry's counties; absent: every
   *     county
   */
  record CreateKeyRequest(
      @Nullable String name, @Nullable String role, @Nullable List<String> counties) {}

  /**
   * @param key the API key, shown this once
   * @param webhookSecret signs the webhooks to this client's callbackUrl
   * @param counties the registrar's scope as stored; null: every county (or no registry right)
   */
  record CreatedKeyView(
      long clientId,
      String name,
      String role,
      @Nullable List<String> counties,
      String key,
      String webhookSecret) {}

  @Operation(
      summary =
          "Create an API key (role client, registrar or admin; a registrar optionally scoped to"
              + " counties); the key is shown once")
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<CreatedKeyView> create(@RequestBody CreateKeyRequest body) {
    if (body.name() == null) {
      throw ApiException.invalid(List.of(new FieldProblem("name", "is required")));
    }
    Role role;
    try {
      role = body.role() == null ? Role.CLIENT : Role.parse(body.role());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(
          List.of(new FieldProblem("role", "must be client, registrar or admin")));
    }
    ApiKeys.CreatedKey created = keys.create(body.name(), role, body.counties());
    Caller caller = created.caller();
    return ResponseEntity.status(HttpStatus.CREATED)
        // The body holds a secret: no cache along the way may keep it.
        .cacheControl(CacheControl.noStore())
        .body(
            new CreatedKeyView(
                caller.clientId(),
                caller.name(),
                role.dbValue(),
                caller.registryCounties(),
                created.key().reveal(),
                created.webhookSecret().reveal()));
  }
}
