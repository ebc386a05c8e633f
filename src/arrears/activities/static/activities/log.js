/* The case page's quick forms on a phone: a quick action ("Log outcome", "Note", …) opens the
   form it leads to, not only scrolls to it; and the visit rule of the rule pack is checked
   while the form is filled in, before it is sent. No framework; the pages work without it. */
(function () {
  "use strict";

  function openAt(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    var details = target.tagName === "DETAILS" ? target : target.querySelector("details");
    if (details && !details.open) details.open = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link) openAt(link.getAttribute("href"));
  });
  window.addEventListener("hashchange", function () { openAt(location.hash); });
  document.addEventListener("DOMContentLoaded", function () {
    openAt(location.hash);
    document.querySelectorAll("form.act-form").forEach(watchVisit);
  });

  function watchVisit(form) {
    var rule = form.querySelector(".act-rule[data-min-participants]");
    var channel = form.querySelector('select[name$="channel"]');
    var people = form.querySelector('input[name$="participants"]');
    var recording = form.querySelector('input[name$="recording_ref"]');
    if (!rule || !channel || !people) return;
    var need = parseInt(rule.getAttribute("data-min-participants"), 10) || 0;
    var needRecording = rule.getAttribute("data-require-recording") === "1";
    function check() {
      var visit = channel.value === "visit";
      var short = visit && (parseInt(people.value, 10) || 0) < need;
      var noRecording = visit && needRecording && recording && !recording.value.trim();
      rule.classList.toggle("act-rule-unmet", Boolean(short || noRecording));
      people.required = visit;
      if (visit) people.min = String(need);
      if (recording) recording.required = Boolean(visit && needRecording);
    }
    [channel, people, recording].forEach(function (el) {
      if (el) { el.addEventListener("input", check); el.addEventListener("change", check); }
    });
    check();
  }
})();
