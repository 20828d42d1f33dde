// The credits page for an owner: add credits (one key per form, so a double click adds them once) and set budgets.
import { api } from './kit/api.js';
import { refuse } from './kit/feedback.js';

export function startCreditsOwner() {
  const form = document.getElementById("grant-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      const credits = Number(form.credits.value);
      button.disabled = true;
      try {
        await api("POST", `/api/studios/${form.dataset.studioId}/credits`,
          { credits, reason: form.reason.value }, { "Idempotency-Key": form.key.value });
        location.reload();
      } catch (err) {
        button.disabled = false;
        refuse(button, err.detail && typeof err.detail === "string" ? err.detail : String(err.message || err));
      }
    });
  }
  document.querySelectorAll("[data-save-budget]").forEach((button) => {
    button.addEventListener("click", async () => {
      const input = document.querySelector(`[data-budget-for="${button.dataset.saveBudget}"]`);
      const value = input.value.trim();
      button.disabled = true;
      try {
        await api("PUT", `/api/projects/${button.dataset.saveBudget}/budget`, { credits: value === "" ? null : Number(value) });
        location.reload();
      } catch (err) {
        button.disabled = false;
        refuse(button, typeof err.detail === "string" ? err.detail : "a whole number of credits, or empty for none");
      }
    });
  });
}
