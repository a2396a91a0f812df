// The API documentation page: Swagger UI draws each operation's path as a link inside the
// button that opens the operation, an interactive control nested in another (axe
// nested-interactive).  Deep links are off, so the inner link does nothing: make it text.
(function () {
  function flatten(root) {
    root.querySelectorAll(".opblock-summary-control a[href]").forEach(function (a) {
      a.removeAttribute("href");
    });
  }
  new MutationObserver(function () { flatten(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
})();
