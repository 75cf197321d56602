// Quick exit: leaves for a neutral site and replaces this page in the history, so Back does not bring
// the case up again. Also on Escape pressed twice within a second.
(function () {
  var link = document.querySelector('a.quick-exit');
  if (!link) return;
  function leave(event) {
    if (event) event.preventDefault();
    document.body.innerHTML = '';
    window.location.replace(link.href);
  }
  link.addEventListener('click', leave);
  var last = 0;
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var now = Date.now();
    if (now - last < 1000) leave(event);
    last = now;
  });
})();
