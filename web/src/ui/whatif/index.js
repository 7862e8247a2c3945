// The what-if package of `aimeter serve`'s UI (P5): the What-if and Extrapolation tabs of a
// run. ctx = {id, view (the /view object), params, setParams}; each returns {unmount()}.
import './whatif.css';

export { mountWhatif } from './view.js';
export { mountForecast } from './extrap.js';
