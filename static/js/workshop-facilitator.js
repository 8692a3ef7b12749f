/* Facilitator shortcuts: → next, ← previous, R reveal, V vote again. Each key submits the
 * same form as its button, so without JavaScript the buttons do the same. */
(function () {
  "use strict";
  var forms = {
    ArrowRight: "ws-next-form",
    ArrowLeft: "ws-prev-form",
    r: "ws-reveal-form",
    R: "ws-reveal-form",
    v: "ws-revote-form",
    V: "ws-revote-form"
  };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return; // typing a note or choosing a value is not a command
    }
    var form = document.getElementById(forms[event.key] || "");
    if (!form) { return; }
    var button = form.querySelector("button[type=submit]");
    if (button && button.disabled) { return; }
    event.preventDefault();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
