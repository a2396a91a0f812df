// The chart runtime of the urbanagenda web platform: Vega-Lite through vega-embed, with
// Vega's CSP-compliant expression interpreter so that pages need no 'unsafe-eval'.
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

window.urbanagendaEmbed = function (element, spec, options) {
  return embed(element, spec, {
    actions: false,
    renderer: "svg",
    ast: true,
    expr: expressionInterpreter,
    ...(options || {}),
  });
};
