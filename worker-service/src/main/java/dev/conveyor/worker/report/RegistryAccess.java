package dev.conveyor.worker.report;

import dev.conveyor.worker.WorkerServiceProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the registry reports read with: the database, the JSON mapper for their parameters, and the
 * fetch size of their cursors ({@code conveyor.worker-service.fetch-size}).
 */
@Component
record RegistryAccess(JdbcClient jdbc, JsonMapper json, int fetchSize) {

  @Autowired
  RegistryAccess(JdbcClient jdbc, JsonMapper json, WorkerServiceProperties properties) {
    this(jdbc, json, properties.fetchSize());
  }
}
