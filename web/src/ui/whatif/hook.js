// The test hook: window.aimeterUI.whatif / .forecast hold the figures shown (the browser
// tests compare them with the CLI's --json output). P4 owns window.aimeterUI itself and may
// replace the object on navigation, so every write goes through the current one.

export function hook(name) {
  return {
    set(patch) {
      const ui = (window.aimeterUI = window.aimeterUI || {});
      ui[name] = { ...(ui[name] || {}), ...patch };
    },
    clear() {
      if (window.aimeterUI) delete window.aimeterUI[name];
    },
  };
}
