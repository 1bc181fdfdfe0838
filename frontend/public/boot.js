// Starts the SPA. Absolute path: deep links such as /agenda/… load the same module.
import init from '/frontend.js';
init();
