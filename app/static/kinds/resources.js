/* Resource map: after a resource is sent (the outbox of app.js takes the form), empty the name
   for the next one; the category stays chosen (resources often come several of a kind). */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("[data-resource-add]")) return;
    setTimeout(function () {
      var name = form.querySelector('input[name="text"]');
      if (name) name.value = "";
    }, 0);
  });
})();
