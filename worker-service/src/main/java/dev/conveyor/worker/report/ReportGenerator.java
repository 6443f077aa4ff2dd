package dev.conveyor.worker.report;

import dev.conveyor.queue.JobContext;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;

/**
 * One report type: reads what it needs and writes the report's file. {@link GenerateReportHandler}
 * calls it outside any transaction: a generator reads the registry in bounded slices, each a short
 * statement of its own ({@link RegistryAccess#slice}), so no transaction stays open while a report
 * is built, whatever its size. A generator that writes the registry (voterImport) does so in short
 * transactions of its own, fenced on its attempt ({@link #write(Report, JobContext, OutputStream,
 * ReportProgress)}), and hooks into the ends of the attempt: {@link #completing}, {@link
 * #completed}, {@link #ended}.
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

  /** How an attempt ended a report without completing it. */
  enum Ending {
    CANCELLED,
    FAILED
  }

  /**
   * Writes the report, in {@code report.format()}, to {@code out} (flushed, not closed). Checks the
   * parameters first and throws {@link InvalidReportException} for ones it cannot use. Calls {@code
   * progress} as the work advances (which also throws when the report is cancelled).
   */
  void write(Report report, OutputStream out, ReportProgress progress) throws IOException;

  /**
   * Like {@link #write(Report, OutputStream, ReportProgress)}, knowing the attempt (its job id and
   * lease token, to fence writes of its own); what the handler calls. The reports only read and
   * need not override it.
   */
  default void write(Report report, JobContext attempt, OutputStream out, ReportProgress progress)
      throws IOException {
    write(report, out, progress);
  }

  /**
   * Inside the transaction that stores the file, enqueues {@code report.completed} and completes
   * the job: what must commit exactly with them (voterImport: its audit row's final status).
   * Nothing by default.
   */
  default void completing(Report report, JobContext attempt) {}

  /**
   * After the job completed, outside any transaction: clean-up that need not commit with it. Best
   * effort, must not throw. Nothing by default.
   */
  default void completed(Report report, JobContext attempt) {}

  /**
   * The attempt ends the report without completing it ({@code report.cancelled} or {@code
   * report.failed}): {@code event} enqueues that durable event; a generator may run it in a
   * transaction with its own final writes (voterImport: its audit row's status). By default it just
   * runs it.
   */
  default void ended(Report report, JobContext attempt, Ending ending, Runnable event) {
    event.run();
  }
}
