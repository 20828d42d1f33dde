// Stage 11: choosing the model, resolution and sound, and ticking shots, re-plans the take with its price.
// The page is planned on the server from the query (the same order the confirm sends), so what the
// summary shows is what Confirm charges.
/** Starts the take's order form; answers {takeOrder()}: the order Confirm sends (undefined off the page). */
export function startStage11Order() {
  const form = document.getElementById("take-order");
  if (!form) return null;
  const replan = () => {
    const query = new URLSearchParams(new FormData(form));
    form.classList.add("busy");
    location.replace(`${form.action}?${query}`);
  };
  form.addEventListener("change", replan);
  document.querySelectorAll('input[form="take-order"]').forEach((box) => box.addEventListener("change", replan));

  // The confirm sends the same order as JSON; going over budget needs its box ticked.
  const confirmForm = document.getElementById("confirm-form");
  const ack = confirmForm && confirmForm.querySelector("[data-over-budget]");
  const button = confirmForm && confirmForm.querySelector("#confirm-render");
  if (ack && button) {
    const canConfirm = !button.disabled;
    const sync = () => { button.disabled = !canConfirm || !ack.checked; };
    ack.addEventListener("change", sync);
    sync();
  }
  return {
    takeOrder() {
      if (!confirmForm) return undefined;
      const value = (name) => { const input = confirmForm.querySelector(`[name="${name}"]`); return input ? input.value : null; };
      const order = { model: value("model"), resolution: value("resolution"), audio: value("audio") === "true" };
      const ids = value("shot_ids");
      if (ids !== null) order.shot_ids = ids ? ids.split(",").map(Number) : [];
      if (ack && ack.checked) order.accept_over_budget = true;
      return order;
    },
  };
}
