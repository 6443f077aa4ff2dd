/**
 * The {@code report.generate} handler and one {@link dev.conveyor.worker.report.ReportGenerator}
 * per report type (voterList, absenteeReport, ldCommittees, designatedPetition): loads the report
 * row, streams the report from the voter registry into an artifact (CSV, XLSX through fastexcel,
 * PDF through OpenPDF), and completes the job, the artifact and the durable {@code
 * report.completed} callback in one transaction.
 */
@NullMarked
package dev.conveyor.worker.report;

import org.jspecify.annotations.NullMarked;
