// Inline replies: "Reply" opens the comment form right under that comment.
// Without JavaScript the same link loads the page with ?replyto=ID and the form
// at the bottom is already set up as a reply, so nothing here is required.
(function () {
  "use strict";
  var form = document.getElementById("respond");
  if (!form) return;
  var home = document.createComment("comment form home");
  form.parentNode.insertBefore(home, form);
  var parentField = form.querySelector("input[name=parent]");
  var heading = form.querySelector("#respond-heading");
  var originalHeading = heading ? heading.textContent : "";

  function cancelLink() {
    var p = document.createElement("p");
    p.className = "replying-to";
    p.setAttribute("data-replying-to", "");
    var a = document.createElement("a");
    a.href = "#respond";
    a.textContent = "Cancel reply";
    a.addEventListener("click", function (event) {
      event.preventDefault();
      reset();
    });
    p.appendChild(a);
    return p;
  }

  function clearReplyNote() {
    var old = form.querySelector("[data-replying-to]");
    if (old) old.remove();
  }

  function reset() {
    clearReplyNote();
    if (parentField) parentField.value = "";
    if (heading) heading.textContent = originalHeading.indexOf("Reply to") === 0 ? "Leave a comment" : originalHeading;
    home.parentNode.insertBefore(form, home.nextSibling);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.reply-link");
    if (!link) return;
    event.preventDefault();
    var item = link.closest("li.comment");
    if (parentField) parentField.value = link.getAttribute("data-reply-to");
    if (heading) heading.textContent = "Reply to " + link.getAttribute("data-reply-name");
    clearReplyNote();
    heading.insertAdjacentElement("afterend", cancelLink());
    item.querySelector("article").insertAdjacentElement("afterend", form);
    var body = form.querySelector("textarea");
    if (body) body.focus();
  });
})();
