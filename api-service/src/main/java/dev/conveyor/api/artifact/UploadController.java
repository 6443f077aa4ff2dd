package dev.conveyor.api.artifact;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Client uploads: the CSV input of a voterImport report. */
@RestController
@RequestMapping("/api/uploads")
class UploadController {

  private static final Pattern FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._ -]{0,254}");

  private final ArtifactFiles files;

  UploadController(ArtifactFiles files) {
    this.files = files;
  }

  /** What an upload returns: pass {@code uploadId} as the voterImport parameter. */
  record Uploaded(UUID uploadId, String filename, long sizeBytes, String sha256) {}

  @Operation(summary = "Upload a CSV file (voterImport input); the body is the file")
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
    ArtifactInfo info =
        files.storeUpload(caller.clientId(), filename, "text/csv", request.getInputStream());
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(new Uploaded(info.id(), info.filename(), info.sizeBytes(), info.sha256()));
  }
}
