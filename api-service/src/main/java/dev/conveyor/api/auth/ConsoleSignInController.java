package dev.conveyor.api.auth;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code GET /console/sign-in}: the console's sign-in page (template {@code console/sign-in}). The
 * form posts to the same path, where Spring Security's form login takes it ({@link ConsoleSignIn});
 * after a refusal it comes back here with {@code ?error=<reason>}, after a sign-out with {@code
 * ?signed-out}. The messages are fixed texts chosen by the reason: nothing from the request is
 * shown.
 */
@Controller
class ConsoleSignInController {

  private static final Map<String, String> ERRORS =
      Map.of(
          ConsoleSignIn.INVALID,
          "That API key is not valid. Check that it was copied whole.",
          ConsoleSignIn.NOT_ADMIN,
          "That API key is valid but not an admin key: only admin keys open the console.");

  @GetMapping(ConsoleSignIn.PAGE)
  String signIn(
      @RequestParam(name = "error", required = false) @Nullable String error,
      @RequestParam(name = "signed-out", required = false) @Nullable String signedOut,
      Model model) {
    if (error != null) {
      model.addAttribute(
          "error", ERRORS.getOrDefault(error, "The sign-in failed. Please try again."));
    }
    if (signedOut != null) {
      model.addAttribute("message", "You are signed out.");
    }
    return "console/sign-in";
  }
}
