/**
 * chart.js is tree-shaken: the pieces our charts use are registered once, here, by every page
 * of ours that draws one (registering twice is harmless).
 */
import { ArcElement, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(ArcElement, BarElement, CategoryScale, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip);
// Charts follow the page's text colour and never animate (tests and screen readers read them at once).
Chart.defaults.color = '#1c2330';
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

/** Distinct colours with enough contrast on white, for series and doughnut slices. */
export const PALETTE = ['#0b5cad', '#146c2e', '#b3261e', '#8a5300', '#6a3fa0', '#00707a', '#4a5567', '#c2185b', '#33691e', '#5d4037'];
