/* Authoring pages: show only the parameter groups of the chosen kind of question.
   Without JavaScript every group is shown, each saying which kinds it is for. */
(function () {
  "use strict";
  var kind = document.getElementById("kind");
  if (!kind) { return; }
  function update() {
    document.querySelectorAll(".param-group[data-kinds]").forEach(function (group) {
      var kinds = group.getAttribute("data-kinds").split(" ");
      group.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", update);
  update();
}());
