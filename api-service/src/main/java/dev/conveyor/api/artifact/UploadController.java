package dev.conveyor.api.artifact;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.storage.ClientStorage;
import dev.conveyor.api.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** Client uploads: the CSV input of a voterImport report. */
@RestController
@RequestMapping("/api/uploads")
class UploadController {

  private static final Pattern FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,254}");

  private final ArtifactFiles files;
  private final ClientStorage storage;

  UploadController(ArtifactFiles files, ClientStorage storage) {
    this.files = files;
    this.storage = storage;
  }

  /** What an upload returns: pass {@code uploadId} as the voterImport parameter. */
  record Uploaded(UUID uploadId, String filename, long sizeBytes, String sha256) {}

  @Operation(summary = "Upload a CSV file (voterImport input); the body is the file")
  @ApiResponse(responseCode = "201", description = "Stored")
  @ApiResponse(
      responseCode = "413",
      description =
          "Larger than conveyor.api.limits.upload, or it would exceed the client's storage quota"
              + " (bytes of its uploads and report files, conveyor.api.storage.quota)")
  @ApiResponse(
      responseCode = "429",
      description =
          "More uploads than conveyor.api.storage.upload-rate per period; Retry-After says when"
              + " the next one is allowed")
  @PostMapping(consumes = "text/csv")
  ResponseEntity<Uploaded> upload(
      @Parameter(hidden = true) Caller caller,
      @RequestParam(defaultValue = "upload.csv") String filename,
      HttpServletRequest request)
      throws IOException {
    if (!FILENAME.matcher(filename).matches()) {
      throw ApiException.badRequest(
          "filename", "must be 1 to 255 letters, digits, '.', '_', '-' or spaces");
    }
    // Before the body is read: a client over its rate costs no spooling.
    storage.takeUploadSlot(caller.clientId());
    // Spooled to a temporary file first, as Tomcat does for a multipart part: the body arrives at
    // the client's pace, and reading it inside storeUpload's transaction would hold a pooled
    // connection and an open transaction (which holds back vacuum) for as long as a slow client
    // takes. The size limit applies while spooling (the request wrapper counts the body).
    Path spooled = Files.createTempFile("conveyor-upload-", ".csv");
    try {
      try (InputStream body = request.getInputStream();
          OutputStream out = Files.newOutputStream(spooled)) {
        body.transferTo(out);
      }
      try (InputStream in = Files.newInputStream(spooled)) {
        return stored(
            files.storeUpload(caller.clientId(), filename, "text/csv", Files.size(spooled), in));
      }
    } finally {
      Files.deleteIfExists(spooled);
    }
  }

  /**
   * The same as a {@code multipart/form-data} form (what browsers and {@code curl -F} send): the
   * file is the part {@code file}. Tomcat spools the part to a temporary file (never held in
   * memory) and refuses a body over the upload limit (see {@code UploadLimits}).
   */
  @Operation(summary = "Upload a CSV file (voterImport input) as multipart/form-data, part 'file'")
  @ApiResponse(responseCode = "201", description = "Stored")
  @ApiResponse(
      responseCode = "413",
      description = "Larger than the upload limit, or it would exceed the client's storage quota")
  @ApiResponse(
      responseCode = "429",
      description = "More uploads than the client's rate allows; see Retry-After")
  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<Uploaded> uploadForm(
      @Parameter(hidden = true) Caller caller,
      @RequestPart(name = "file", required = false) @Nullable MultipartFile file,
      HttpServletRequest request)
      throws IOException {
    if (file == null) {
      // A part without a filename is a form field to the servlet API, not a file.
      throw ApiException.badRequest(
          "file",
          request.getParameter("file") != null
              ? "is a form field, not a file: its Content-Disposition has no filename"
                  + " (curl: -F file=@kings.csv)"
              : "is missing: send the file as the part named 'file' (Content-Disposition:"
                  + " form-data; name=\"file\"; filename=\"...\")");
    }
    if (file.isEmpty()) {
      throw ApiException.badRequest("file", "is empty");
    }
    // Tomcat has already spooled the body (multipart parsing runs before the handler).
    storage.takeUploadSlot(caller.clientId());
    try (InputStream in = file.getInputStream()) {
      return stored(
          files.storeUpload(
              caller.clientId(),
              safeName(file.getOriginalFilename()),
              "text/csv",
              file.getSize(),
              in));
    }
  }

  /** A browser's file name, made a bare name the artifacts table accepts. */
  private static String safeName(@Nullable String original) {
    String name = StringUtils.getFilename(original == null ? "" : original.replace('\\', '/'));
    name = name == null ? "" : name.replaceAll("[^A-Za-z0-9._ -]", "_").strip();
    if (name.length() > 200) {
      name = name.substring(name.length() - 200);
    }
    return FILENAME.matcher(name).matches() ? name : "upload-" + name.replace(' ', '_') + ".csv";
  }

  private static ResponseEntity<Uploaded> stored(ArtifactInfo info) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(new Uploaded(info.id(), info.filename(), info.sizeBytes(), info.sha256()));
  }
}
