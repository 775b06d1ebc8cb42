document.addEventListener('DOMContentLoaded', function () {
  var all = document.getElementById('select-all');
  if (all) all.addEventListener('change', function () {
    document.querySelectorAll('input[name=id]').forEach(function (c) { c.checked = all.checked; });
  });
  // Enter in the reason field would press the form's first button (retry): not what was meant
  document.querySelectorAll('input[name=reason]').forEach(function (r) {
    if (r.form && r.form.method === 'post') r.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') e.preventDefault();
    });
  });
  document.querySelectorAll('button.discard').forEach(function (b) {
    b.addEventListener('click', function (e) {
      var r = b.form.querySelector('input[name=reason]');
      if (r && !r.value.trim()) {
        var given = window.prompt('Why discard? (kept for the audit)');
        if (!given || !given.trim()) { e.preventDefault(); return; }
        r.value = given;
      }
    });
  });
});
