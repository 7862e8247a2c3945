// The view's permalink parameters from the ctx the run view passes: P4's params() function
// (state.js), or a plain object.
export const ctxParams = (ctx) => (typeof ctx.params === 'function' ? ctx.params() : ctx.params) || {};
