package dev.conveyor.api.auth;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /console}: a placeholder start page for a signed-in admin, until the console's own
 * pages replace it (delete this class and {@code templates/console/index.html} then). It shows the
 * contract a console controller codes against: it takes the {@link Caller} (always an admin; its
 * {@code name()} is "who did it"), and its forms post with {@code th:action}, which adds the CSRF
 * token.
 */
@Controller
class ConsolePlaceholderController {

  @GetMapping("/console")
  String home(Caller caller, Model model) {
    model.addAttribute("caller", caller);
    return "console/index";
  }
}
