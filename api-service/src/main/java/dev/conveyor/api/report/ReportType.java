package dev.conveyor.api.report;

import static dev.conveyor.api.report.Param.choice;
import static dev.conveyor.api.report.Param.date;
import static dev.conveyor.api.report.Param.integer;
import static dev.conveyor.api.report.Param.text;
import static dev.conveyor.api.report.Param.uuid;

import dev.conveyor.api.web.FieldProblem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The report types, from the report server this system replaces: their formats and parameters.
 * README.md has the same table for clients; {@code reports_type_format_check} in the schema holds
 * the same type/format pairs.
 */
enum ReportType {
  VOTER_LIST(
      "voterList",
      EnumSet.of(ReportFormat.CSV, ReportFormat.XLSX),
      List.of(
          Params.COUNTY,
          Params.assemblyDistrict(false),
          Params.ELECTION_DISTRICT,
          Params.party(false),
          choice("status", false, List.of("ACTIVE", "INACTIVE", "PURGED", "PREREG"), "status"))),
  ABSENTEE_REPORT(
      "absenteeReport",
      EnumSet.of(ReportFormat.CSV, ReportFormat.XLSX),
      List.of(
          Params.COUNTY,
          date("electionDate", true, "the election"),
          Params.assemblyDistrict(false),
          choice(
              "status",
              false,
              List.of("REQUESTED", "SENT", "RETURNED", "ACCEPTED", "REJECTED", "CANCELLED"),
              "application status"))),
  LD_COMMITTEES(
      "ldCommittees",
      EnumSet.of(ReportFormat.PDF, ReportFormat.XLSX),
      List.of(Params.COUNTY, Params.assemblyDistrict(true), Params.party(true))),
  DESIGNATED_PETITION(
      "designatedPetition",
      EnumSet.of(ReportFormat.PDF),
      List.of(
          Params.COUNTY,
          Params.assemblyDistrict(true),
          Params.party(true),
          text("office", true, 100, Params.PRINTABLE, "printable text"),
          text("candidateName", true, 200, Params.PRINTABLE, "printable text"),
          date("electionDate", true, "the primary election"))),
  VOTER_IMPORT(
      "voterImport",
      EnumSet.of(ReportFormat.CSV),
      List.of(uuid("uploadId", true, "an upload of the caller"), Params.COUNTY));

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String apiName;
  private final Set<ReportFormat> formats;
  private final List<Param> params;

  ReportType(String apiName, Set<ReportFormat> formats, List<Param> params) {
    this.apiName = apiName;
    this.formats = formats;
    this.params = params;
  }

  String apiName() {
    return apiName;
  }

  Set<ReportFormat> formats() {
    return formats;
  }

  static Optional<ReportType> fromApiName(String name) {
    return Arrays.stream(values()).filter(t -> t.apiName.equals(name)).findFirst();
  }

  static List<String> apiNames() {
    return Arrays.stream(values()).map(ReportType::apiName).toList();
  }

  /**
   * Checks {@code parameters} against this type: unknown names, missing required ones, each value,
   * and the rules between them. Returns the normalized parameters (known keys only, sorted);
   * problems go to {@code errors}.
   */
  ObjectNode checkParameters(JsonNode parameters, List<FieldProblem> errors) {
    Map<String, JsonNode> normalized = new TreeMap<>();
    if (!parameters.isObject()) {
      errors.add(new FieldProblem("parameters", "must be a JSON object"));
      return NODES.objectNode();
    }
    List<String> known = params.stream().map(p -> p.name).toList();
    for (String name : parameters.propertyNames()) {
      if (!known.contains(name)) {
        errors.add(
            new FieldProblem(
                "parameters." + name,
                "is not a parameter of " + apiName + " (known: " + String.join(", ", known) + ")"));
      }
    }
    for (Param param : params) {
      JsonNode value = parameters.get(param.name);
      if (value == null || value.isNull()) {
        if (param.required) {
          errors.add(new FieldProblem(param.field(), "is required for " + apiName));
        }
        continue;
      }
      JsonNode checked = param.check(value, errors);
      if (checked != null) {
        normalized.put(param.name, checked);
      }
    }
    if (normalized.containsKey("electionDistrict") && !normalized.containsKey("assemblyDistrict")) {
      errors.add(
          new FieldProblem(
              "parameters.electionDistrict",
              "needs parameters.assemblyDistrict (election districts are numbered per assembly"
                  + " district)"));
    }
    ObjectNode out = NODES.objectNode();
    normalized.forEach(out::set);
    return out;
  }

  /** The parameters, for documentation (README, OpenAPI). */
  List<Param> params() {
    return new ArrayList<>(params);
  }

  private static final class Params {
    static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}]+");
    static final Param COUNTY =
        text(
            "county",
            true,
            40,
            Pattern.compile("[A-Za-z][A-Za-z .'-]*"),
            "a county name (letters, spaces, . ' -)");
    static final Param ELECTION_DISTRICT =
        integer(
            "electionDistrict", false, 1, 999, "election district within the assembly district");
    static final List<String> PARTIES = List.of("DEM", "REP", "CON", "WOR", "OTH");

    static Param assemblyDistrict(boolean required) {
      return integer("assemblyDistrict", required, 1, 150, "assembly district");
    }

    static Param party(boolean required) {
      return choice("party", required, PARTIES, "party enrollment");
    }
  }
}
