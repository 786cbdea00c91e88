/* Sign-in and sign-up forms: JSON to the accounts API, errors shown inline. */
(function () {
  "use strict";
  const { api, showFormError, safeNext } = window.Kinema;

  function busy(form, on) {
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = on;
      button.setAttribute("aria-busy", on ? "true" : "false");
    }
  }

  function value(form, name) {
    const input = form.elements.namedItem(name);
    return input ? input.value.trim() : "";
  }

  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      const errorBox = document.getElementById("form-error");
      errorBox.hidden = true;
      const credentials = { login: value(login, "login"), password: login.elements.namedItem("password").value };
      if (!credentials.login || !credentials.password) {
        showFormError(errorBox, "Enter your handle or email and your password.");
        return;
      }
      busy(login, true);
      try {
        await api("POST", "/api/auth/login", credentials);
        window.location.assign(safeNext(login.dataset.next, "/"));
      } catch (err) {
        showFormError(errorBox, err.message);
        busy(login, false);
      }
    });
  }

  const signup = document.getElementById("signup-form");
  if (signup) {
    signup.addEventListener("submit", async (event) => {
      event.preventDefault();
      const errorBox = document.getElementById("form-error");
      errorBox.hidden = true;
      const password = signup.elements.namedItem("password").value;
      const account = {
        handle: value(signup, "handle"),
        email: value(signup, "email"),
        password: password,
        birthdate: value(signup, "birthdate"),
      };
      const invite = value(signup, "invite_code");
      if (invite) account.invite_code = invite;
      const missing = [];
      if (signup.elements.namedItem("invite_code") && signup.elements.namedItem("invite_code").required && !invite) missing.push("invite code");
      if (!account.handle) missing.push("handle");
      if (!account.email) missing.push("email");
      if (!password) missing.push("password");
      if (!account.birthdate) missing.push("birthday");
      if (missing.length) {
        showFormError(errorBox, "Please fill in your " + missing.join(", ") + ".");
        return;
      }
      busy(signup, true);
      try {
        await api("POST", "/api/auth/signup", account);
        // Signing up may or may not start a session; make sure one exists before moving on.
        try {
          await api("GET", "/api/me");
        } catch (err) {
          await api("POST", "/api/auth/login", { login: account.handle, password: password });
        }
        window.location.assign(safeNext(signup.dataset.next, "/create"));
      } catch (err) {
        showFormError(errorBox, err.message);
        busy(signup, false);
      }
    });
  }
})();
