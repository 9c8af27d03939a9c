#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

#include "connector/notify/mailer.hpp"

namespace mangfold::notify {

namespace {

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};

std::string lower_prefix(std::string_view s, size_t n) {
  std::string out(s.substr(0, n));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Codes where the server refuses the sender's credentials, not this message: the mail
// should wait for a configuration fix instead of being dropped.
bool is_auth_code(long code) {
  return code == 530 || code == 534 || code == 535 || code == 538;
}

Status classify(CURLcode rc, long smtp_code, const char* error_buffer) {
  std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
  const std::string what =
      "smtp: " + detail + (smtp_code ? " (reply " + std::to_string(smtp_code) + ")" : "");
  if (rc == CURLE_LOGIN_DENIED || is_auth_code(smtp_code))
    return unavailable(what + "; check the SMTP credentials");
  // Waits for a configuration fix (or the server's), like a credentials problem.
  if (rc == CURLE_USE_SSL_FAILED)
    return unavailable(what +
                       "; STARTTLS is required (require_starttls, or credentials without "
                       "allow_plain_auth) and the server did not offer it");
  if (smtp_code >= 500 && smtp_code < 600) return failed_precondition(what);
  return unavailable(what);
}

}  // namespace

Status SmtpMailer::validate(const SmtpOptions& o) {
  const std::string scheme = lower_prefix(o.url, 8);
  const bool smtps = scheme.rfind("smtps://", 0) == 0;
  if (!smtps && scheme.rfind("smtp://", 0) != 0)
    return invalid_argument("smtp url must start with smtp:// or smtps://");
  const size_t host = smtps ? 8 : 7;
  if (o.url.size() <= host || o.url[host] == '/' || o.url[host] == ':')
    return invalid_argument("smtp url has no host");
  if (o.connect_timeout_ms <= 0 || o.timeout_ms <= 0)
    return invalid_argument("smtp timeouts must be positive");
  if (!smtps && !o.starttls && o.require_starttls)
    return invalid_argument("smtp: require_starttls contradicts turning STARTTLS off");
  if (!smtps && !o.starttls && !o.username.empty() && !o.allow_plain_auth)
    return invalid_argument(
        "smtp: AUTH would send the credentials unencrypted; use STARTTLS or smtps://, or allow "
        "plain AUTH explicitly");
  return {};
}

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)) {
  // curl_global_init is reference-counted and, since 7.84, thread-safe; doing it here
  // spares the application a global set-up step.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Status SmtpMailer::send(const Message& message) {
  if (Status s = validate(options_); !s.ok()) return failed_precondition(s.message());
  if (message.to.empty() && message.cc.empty()) return failed_precondition("smtp: no recipient");
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return unavailable("smtp: cannot create a curl handle");
  CURL* h = curl.get();

  curl_slist* raw = nullptr;
  for (const auto* list : {&message.to, &message.cc})
    for (const Address& a : *list) {
      curl_slist* next = curl_slist_append(raw, ("<" + a.email + ">").c_str());
      if (!next) {
        curl_slist_free_all(raw);
        return unavailable("smtp: out of memory");
      }
      raw = next;
    }
  std::unique_ptr<curl_slist, SlistDeleter> recipients(raw);

  const std::string mime = to_mime(message);
  Upload upload{mime};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const std::string mail_from = "<" + message.from.email + ">";
  const bool smtps = lower_prefix(options_.url, 8) == "smtps://";

  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  if (!smtps) {
    const bool must_encrypt =
        options_.require_starttls || (!options_.username.empty() && !options_.allow_plain_auth);
    const long use_ssl = !options_.starttls ? CURLUSESSL_NONE
                         : must_encrypt     ? CURLUSESSL_ALL
                                            : CURLUSESSL_TRY;
    curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
  }
  // Whenever TLS is used (smtps://, or STARTTLS): TLS 1.2 or newer, and the server's certificate
  // and name verified, against ca_file alone when one is given. Never switched off.
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));

  const CURLcode rc = curl_easy_perform(h);
  long smtp_code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &smtp_code);
  if (rc == CURLE_OK) return {};
  return classify(rc, smtp_code, error_buffer);
}

}  // namespace mangfold::notify
