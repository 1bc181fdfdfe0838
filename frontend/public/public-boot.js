// Starts the usagers' booking app (public.js: no agent screen in it). Absolute path: every
// public deep link (/prendre-rdv/rdv/…, /r/…) loads the same module.
import init from '/public.js';
init();
