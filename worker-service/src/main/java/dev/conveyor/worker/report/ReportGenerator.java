package dev.conveyor.worker.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;

/**
 * One report type: reads what it needs and writes the report's file. {@link GenerateReportHandler}
 * calls it inside the transaction that stores the file, enqueues the durable callback and completes
 * the job, so anything it writes to the database commits or rolls back with them.
 */
interface ReportGenerator {

  /**
   * What a generator produces.
   *
   * @param type the type's name in the API, e.g. {@code voterList}
   * @param formats the formats it writes: {@code CSV}, {@code XLSX}, {@code PDF}
   * @param fileStem the artifact's file name without report id and extension, e.g. {@code
   *     voter-list}
   */
  record Spec(String type, Set<String> formats, String fileStem) {}

  Spec spec();

  /**
   * Writes the report, in {@code report.format()}, to {@code out} (flushed, not closed). Checks the
   * parameters first and throws {@link InvalidReportException} for ones it cannot use. Calls {@code
   * progress} as the work advances (which also throws when the report is cancelled).
   */
  void write(Report report, OutputStream out, ReportProgress progress) throws IOException;
}
