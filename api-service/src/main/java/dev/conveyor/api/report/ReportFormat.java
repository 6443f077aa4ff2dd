package dev.conveyor.api.report;

/** Output formats, and the content type of their files. */
enum ReportFormat {
  CSV("text/csv"),
  XLSX("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
  PDF("application/pdf");

  private final String contentType;

  ReportFormat(String contentType) {
    this.contentType = contentType;
  }

  String contentType() {
    return contentType;
  }
}
