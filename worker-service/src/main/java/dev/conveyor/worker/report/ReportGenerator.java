package dev.conveyor.worker.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;

/**
 * One report type: reads what it needs and writes the report's file. {@link GenerateReportHandler}
 * calls it outside any transaction: a generator reads the registry in bounded slices, each a short
 * statement of its own ({@link RegistryAccess#slice}), so no transaction stays open while a report
 * is built, whatever its size. A generator that writes the registry says so ({@link
 * #writesRegistry()}) and is called inside the transaction that completes the job instead.
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
   * Whether the generator writes the registry: then the handler calls {@link #write} inside the
   * transaction that stores the file, enqueues the durable callback and completes the job, so its
   * writes commit or roll back with them (voterImport). False for the reports, which only read.
   */
  default boolean writesRegistry() {
    return false;
  }

  /**
   * Writes the report, in {@code report.format()}, to {@code out} (flushed, not closed). Checks the
   * parameters first and throws {@link InvalidReportException} for ones it cannot use. Calls {@code
   * progress} as the work advances (which also throws when the report is cancelled).
   */
  void write(Report report, OutputStream out, ReportProgress progress) throws IOException;
}
