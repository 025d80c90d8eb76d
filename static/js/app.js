// Behaviour the templates ask for with data attributes, so that the
// Content-Security-Policy can forbid inline scripts and event handlers.
document.addEventListener("change", (event) => {
  const control = event.target.closest("[data-autosubmit]");
  if (control && control.form) control.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
