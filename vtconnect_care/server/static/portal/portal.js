// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  // R-STATUS-1: the status drop-down switches the clients list as soon as it changes.
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
