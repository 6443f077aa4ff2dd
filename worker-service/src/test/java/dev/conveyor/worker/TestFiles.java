package dev.conveyor.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;

/** Reads the report files back the way a client would: CSV rows, XLSX sheets, PDF page text. */
public final class TestFiles {

  private TestFiles() {}

  /** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
  public static List<List<String>> parseCsv(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
        i++;
      } else {
        field.append(c);
      }
    }
    return rows;
  }

  /** Every sheet of a workbook, by name in workbook order, with all its rows. */
  public static Map<String, List<Row>> xlsxSheets(byte[] file) {
    try (ReadableWorkbook workbook = new ReadableWorkbook(new ByteArrayInputStream(file))) {
      Map<String, List<Row>> sheets = new LinkedHashMap<>();
      for (Sheet sheet : workbook.getSheets().toList()) {
        sheets.put(sheet.getName(), sheet.read());
      }
      return sheets;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of each page of a PDF, in order. */
  public static List<String> pdfPages(byte[] file) {
    try (PDDocument pdf = Loader.loadPDF(file)) {
      PDFTextStripper stripper = new PDFTextStripper();
      List<String> pages = new ArrayList<>();
      for (int p = 1; p <= pdf.getNumberOfPages(); p++) {
        stripper.setStartPage(p);
        stripper.setEndPage(p);
        pages.add(stripper.getText(pdf));
      }
      return pages;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
