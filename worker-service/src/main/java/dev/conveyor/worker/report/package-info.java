/**
 * The {@code report.generate} handler and one {@link dev.conveyor.worker.report.ReportGenerator}
 * per report type (voterList, absenteeReport, ldCommittees, designatedPetition): loads the report
 * row, reads the voter registry in short slices and writes the report into an artifact as it goes
 * (CSV, XLSX through fastexcel, PDF through OpenPDF; each chunk its own short transaction, fenced
 * by the attempt's lease token), then marks the artifact stored, enqueues the durable {@code
 * report.completed} callback and completes the job in one short transaction. {@code
 * ArtifactSweeper} removes the unfinished files of attempts that died.
 */
@NullMarked
package dev.conveyor.worker.report;

import org.jspecify.annotations.NullMarked;
