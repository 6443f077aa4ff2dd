package dev.conveyor.worker.report;

import java.awt.Color;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;
import org.openpdf.text.Document;
import org.openpdf.text.Font;
import org.openpdf.text.PageSize;
import org.openpdf.text.Phrase;
import org.openpdf.text.pdf.PdfPCell;
import org.openpdf.text.pdf.PdfWriter;

/**
 * The PDF conventions of the reports, through OpenPDF: US Letter with half-inch margins, Helvetica
 * (a standard font, so nothing is embedded; text is encoded as Windows-1252, which covers the
 * accented Latin letters of voter names). OpenPDF writes each page to the stream when the page is
 * complete, so a document of any length holds one page in memory.
 */
final class PdfDocuments {

  static final Font TITLE = new Font(Font.HELVETICA, 13, Font.BOLD);
  static final Font TEXT = new Font(Font.HELVETICA, 9, Font.NORMAL);
  static final Font SMALL = new Font(Font.HELVETICA, 8, Font.NORMAL);
  static final Font BOLD = new Font(Font.HELVETICA, 9, Font.BOLD);
  static final Color HEADER_FILL = new Color(0xE4, 0xE4, 0xE4);

  private PdfDocuments() {}

  /** An open document writing to {@code out}, which it flushes but never closes. */
  static Document open(OutputStream out, String title) {
    Document document = new Document(PageSize.LETTER, 36, 36, 36, 36);
    PdfWriter writer = PdfWriter.getInstance(document, out);
    writer.setCloseStream(false);
    document.addTitle(title);
    document.addCreator("Conveyor");
    document.open();
    return document;
  }

  /** A table cell holding {@code text} (null: empty). */
  static PdfPCell cell(@Nullable String text, Font font) {
    PdfPCell cell = new PdfPCell(new Phrase(text == null ? "" : text, font));
    cell.setPadding(3);
    return cell;
  }

  /** A header cell: bold on grey. */
  static PdfPCell headerCell(String text) {
    PdfPCell cell = cell(text, BOLD);
    cell.setBackgroundColor(HEADER_FILL);
    return cell;
  }
}
