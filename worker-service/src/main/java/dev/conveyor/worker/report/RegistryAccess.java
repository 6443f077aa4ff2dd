package dev.conveyor.worker.report;

import dev.conveyor.worker.WorkerServiceProperties;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the registry reports read with: the database, the JSON mapper for their parameters, and the
 * rows per slice ({@code conveyor.worker-service.fetch-size}).
 *
 * <p>A report reads its rows in slices: each slice is one statement of its own, outside any
 * transaction (so PostgreSQL's snapshot and the transaction last that one statement), returning at
 * most {@code fetchSize} rows after the last row of the previous slice in the report's order
 * (keyset pagination on a unique, indexed order). No transaction stays open while a report is
 * built, so vacuum is never held back by one, and each slice's cost is bounded by its size.
 *
 * @param observer told of every slice read; a test hook ({@link SliceObserver#NONE} in service)
 */
@Component
record RegistryAccess(JdbcClient jdbc, JsonMapper json, int fetchSize, SliceObserver observer) {

  @Autowired
  RegistryAccess(
      JdbcClient jdbc,
      JsonMapper json,
      WorkerServiceProperties properties,
      ObjectProvider<SliceObserver> observer) {
    this(jdbc, json, properties.fetchSize(), observer.getIfAvailable(() -> SliceObserver.NONE));
  }

  RegistryAccess(JdbcClient jdbc, JsonMapper json, int fetchSize) {
    this(jdbc, json, fetchSize, SliceObserver.NONE);
  }

  /** One slice of a report: the rows after {@code after} (null: from the start), at most limit. */
  @FunctionalInterface
  interface SliceReader<R> {
    List<R> read(R after, int limit);
  }

  /** What a report does with each row of a slice. */
  @FunctionalInterface
  interface SliceRow<R> {
    void accept(R row) throws java.io.IOException;
  }

  /**
   * Reads every row in slices of {@link #fetchSize()}, in order: {@code reader} gets the last row
   * of the previous slice (the first time {@code start}, a position before every row) and returns
   * the next rows; ends after a slice shorter than the limit.
   */
  <R> void forEachInSlices(R start, SliceReader<R> reader, SliceRow<R> each)
      throws java.io.IOException {
    R after = start;
    while (true) {
      List<R> rows = reader.read(after, fetchSize);
      observer.sliceRead(rows.size());
      for (R row : rows) {
        each.accept(row);
      }
      if (rows.size() < fetchSize) {
        return;
      }
      after = rows.getLast();
    }
  }

  /**
   * Told after each slice a report has read, on the generating thread. A test hook: a test makes a
   * report slow with it, deterministically, to watch what happens while it is built.
   */
  @FunctionalInterface
  interface SliceObserver {
    SliceObserver NONE = rows -> {};

    void sliceRead(int rows);
  }
}
