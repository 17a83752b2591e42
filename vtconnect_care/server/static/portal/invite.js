// R-REG-7: copy the invitation email to the clipboard.
(function () {
  var button = document.getElementById("copy-invite");
  if (!button) return;
  button.addEventListener("click", function () {
    var subject = document.getElementById("invite-subject").textContent;
    var body = document.getElementById("invite-body").value;
    var text = "Subject: " + subject + "\n\n" + body;
    var status = document.getElementById("copy-status");
    function done() { status.textContent = "Copied. Paste it into your email."; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(); });
    } else { fallback(); }
    function fallback() {
      var area = document.getElementById("invite-body");
      area.select();
      try { document.execCommand("copy"); done(); }
      catch (e) { status.textContent = "Select the text and press Ctrl+C to copy."; }
    }
  });
})();
