#include "adapters/generic/api_client.hpp"
#include "adapters/common/json_reader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "adapters/generic/evaluator.hpp"
#include "adapters/generic/json_path.hpp"
#include "adapters/generic/values.hpp"
#include "connector/webhook/codec.hpp"

namespace mangfold::generic {

namespace {

struct Fill {
  std::string_view vacancy_id;
  std::string_view request_id;
  const Json* docs = nullptr;  // earlier responses, for {/request/…}
  std::string_view lookup_id;
  const Json* application = nullptr;  // {application:/p}
};

// Renders `t`; nullopt when a placeholder has no value (`missing` names it).
std::optional<std::string> render(const Template& t, const Fill& fill, bool url,
                                  std::string& missing) {
  std::string out;
  auto put = [&](std::string_view v) { out += url ? percent_encode(v) : std::string(v); };
  for (const TemplatePart& part : t.parts) {
    switch (part.kind) {
      case TemplatePart::Kind::kText:
        out += part.text;
        break;
      case TemplatePart::Kind::kVacancyId:
        put(fill.vacancy_id);
        break;
      case TemplatePart::Kind::kRequestId:
        put(fill.request_id);
        break;
      case TemplatePart::Kind::kLookupId:
        put(fill.lookup_id);
        break;
      case TemplatePart::Kind::kPointer:
      case TemplatePart::Kind::kApplication: {
        const bool app = part.kind == TemplatePart::Kind::kApplication;
        const Json* in = app ? fill.application : fill.docs;
        const Json* j = in ? resolve(*in, part.pointer) : nullptr;
        std::optional<std::string> text = j ? scalar_text(*j) : std::nullopt;
        if (!text || (app && text->empty())) {
          missing = "{" + std::string(app ? "application:" : "") + part.pointer.text + "}";
          return std::nullopt;
        }
        put(*text);
        break;
      }
      default:
        return std::nullopt;  // the loader allows no other placeholder here
    }
  }
  return out;
}

// A body template with every string rendered. A string that is one placeholder alone
// takes the referenced value with its JSON type ("{/job/id}" stays a number).
std::optional<Json> render_body(const Json& body, const Fill& fill, std::string& missing) {
  if (body.is_structured()) {
    Json out = body.is_object() ? Json::object() : Json::array();
    for (auto it = body.begin(); it != body.end(); ++it) {
      std::optional<Json> v = render_body(*it, fill, missing);
      if (!v) return std::nullopt;
      if (body.is_object())
        out[it.key()] = std::move(*v);
      else
        out.push_back(std::move(*v));
    }
    return out;
  }
  if (!body.is_string()) return body;
  std::string error;
  std::optional<Template> t = parse_template(
      body.get<std::string>(),
      kAllowVacancyId | kAllowRequestId | kAllowPointer | kAllowApplication | kAllowLookupId,
      error);
  if (!t) return body;
  if (t->parts.size() == 1 && t->parts[0].kind == TemplatePart::Kind::kPointer) {
    const Json* j = fill.docs ? resolve(*fill.docs, t->parts[0].pointer) : nullptr;
    if (!j || j->is_null()) {
      missing = "{" + t->parts[0].pointer.text + "}";
      return std::nullopt;
    }
    return *j;
  }
  std::optional<std::string> text = render(*t, fill, false, missing);
  if (!text) return std::nullopt;
  return Json(*text);
}

// Sets the value at `p` in `doc`, creating objects on the way.
bool set_at(Json& doc, const Pointer& p, Json value) {
  Json* at = &doc;
  for (std::size_t i = 0; i < p.tokens.size(); ++i) {
    if (at->is_null()) *at = Json::object();
    if (!at->is_object()) return false;
    at = &(*at)[p.tokens[i]];
  }
  *at = std::move(value);
  return true;
}

Json* resolve_mutable(Json& doc, const Pointer& p) {
  return const_cast<Json*>(resolve(doc, p));
}

Status classify(int status, const std::string& what) {
  if (status >= 200 && status < 300) return Status{};
  const std::string code = "HTTP " + std::to_string(status);
  if (status == 404) return not_found(what + " answered " + code);
  if (status == 408 || status == 425 || status == 429 || status >= 500 || status < 100)
    return unavailable(what + " answered " + code + "; try again later");
  if (status == 401 || status == 403)
    return failed_precondition(what + " was refused (" + code + "): check api.auth");
  return failed_precondition(what + " answered " + code);
}

// rel="next" from an RFC 8288 Link header (Greenhouse Harvest paginates so).
std::string next_link(std::string_view header) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(',', start);
    // A comma may stand inside <…>: continue to the comma after the closing '>'.
    const std::size_t close = header.find('>', start);
    if (close != std::string_view::npos && end != std::string_view::npos && end < close)
      end = header.find(',', close);
    const std::string_view item =
        header.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const std::size_t lt = item.find('<'), gt = item.find('>');
    if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
      const std::string_view params = item.substr(gt + 1);
      if (params.find("rel=\"next\"") != std::string_view::npos ||
          params.find("rel=next") != std::string_view::npos)
        return std::string(item.substr(lt + 1, gt - lt - 1));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return {};
}

bool has_header(const OutboundRequest& r, std::string_view name) {
  OutboundResponse view{0, r.headers, {}};
  return !view.header(name).empty();
}

std::string with_query(const std::string& url, const std::string& name, const std::string& value) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + percent_encode(name) + "=" +
         percent_encode(value);
}

}  // namespace

std::string authorization_value(const AuthSpec& auth, const std::string& secret) {
  switch (auth.type) {
    case AuthSpec::Type::kNone:
      return {};
    case AuthSpec::Type::kBearer:
      return "Bearer " + secret;
    case AuthSpec::Type::kBasic:
      // An API key alone is a user name with an empty password (Greenhouse Harvest, Ashby).
      return "Basic " +
             webhook::base64_encode(secret.find(':') == std::string::npos ? secret + ":" : secret);
    case AuthSpec::Type::kHeader: {
      std::string out;
      for (const TemplatePart& p : auth.format.parts)
        out += p.kind == TemplatePart::Kind::kSecret ? secret : p.text;
      return out;
    }
  }
  return {};
}

ApiClient::ApiClient(const ApiSpec& spec, std::shared_ptr<HttpClient> http,
                     std::string authorization, const InputLimits& limits)
    : spec_(spec),
      http_(std::move(http)),
      authorization_(std::move(authorization)),
      limits_(limits) {}

OutboundRequest ApiClient::base_request(std::string method) const {
  OutboundRequest r;
  r.method = std::move(method);
  r.timeout = std::chrono::seconds(spec_.timeout_seconds);
  r.headers = spec_.headers;
  if (!has_header(r, "Accept")) r.headers.emplace_back("Accept", "application/json");
  if (!authorization_.empty()) r.headers.emplace_back(spec_.auth.header, authorization_);
  return r;
}

Result<OutboundResponse> ApiClient::send(const OutboundRequest& request,
                                         const std::string& what) const {
  if (!http_) return failed_precondition("no HTTP client is configured for the ATS API");
  Result<OutboundResponse> response = http_->send(request);
  if (!response.ok()) return unavailable(what + " failed: " + response.status().message());
  return response;
}

Result<Json> ApiClient::fetch(std::string_view vacancy_id) const {
  return run(spec_.requests, vacancy_id, {});
}

Result<std::string> ApiClient::lookup(std::string_view lookup_id) const {
  if (spec_.lookup_requests.empty() || !spec_.lookup_vacancy_id)
    return failed_precondition("the mapping has no api.lookup");
  Result<Json> docs = run(spec_.lookup_requests, {}, lookup_id);
  if (!docs.ok()) return docs.status();
  Evaluator ev(*docs);
  std::optional<Json> id = ev.field(*spec_.lookup_vacancy_id, ev.root());
  if (ev.failed())
    return Status(ev.status().code(), "in the looked-up documents: " + ev.status().message());
  if (!id) return unprocessable("the lookup gave no vacancy id (mapping: api.lookup.vacancy_id)");
  return id->get<std::string>();
}

Result<Json> ApiClient::run(const std::vector<RequestSpec>& requests, std::string_view vacancy_id,
                            std::string_view lookup_id, const Json* application) const {
  Json docs = Json::object();
  for (const RequestSpec& r : requests) {
    const std::string what = "the ATS request '" + r.name + "'";
    Fill fill{vacancy_id, {}, &docs, lookup_id, application};
    std::string missing;
    std::optional<std::string> url = render(r.url, fill, true, missing);
    std::optional<Json> body;
    if (url && r.body) body = render_body(*r.body, fill, missing);
    if (!url || (r.body && !body)) {
      if (r.optional) continue;
      return unprocessable(r.path + ": " + missing + " has no value");
    }
    OutboundRequest request = base_request(r.method);
    request.url = url->rfind("/", 0) == 0 ? spec_.base_url + *url : *url;
    const std::string origin = url_origin(request.url);
    const std::string first_url = request.url;
    if (body && !has_header(request, "Content-Type"))
      request.headers.emplace_back("Content-Type", "application/json");

    if (r.paginate.kind == Pagination::Kind::kPage)
      request.url =
          with_query(first_url, r.paginate.page_query, std::to_string(r.paginate.first_page));
    auto offset_url = [&](std::size_t offset) {
      return with_query(with_query(first_url, r.paginate.offset_query, std::to_string(offset)),
                        r.paginate.limit_query, std::to_string(r.paginate.page_size));
    };
    if (r.paginate.kind == Pagination::Kind::kOffset) request.url = offset_url(0);
    Json doc;
    std::size_t items_seen = 0;
    for (int page = 0;; ++page) {
      if (body) request.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
      Result<OutboundResponse> response = send(request, what);
      if (!response.ok()) return response.status();
      Status status = classify(response->status, what);
      if (status.code() == StatusCode::kNotFound && r.optional && page == 0) break;
      if (!status.ok()) return status;
      Result<Json> read = adapters::read_json(response->body, limits_, what + ": ");
      if (!read.ok() && read.status().code() == StatusCode::kInvalidArgument)
        return unavailable(what + " did not answer with JSON");
      if (!read.ok()) return read.status();
      Json page_doc = std::move(read).value();
      Evaluator check(page_doc);
      if (!r.expect.empty() && !check.matches(r.expect, check.root(), check.root()))
        return failed_precondition(what + " answered, but not as " + r.path + ".expect requires");
      if (page == 0) {
        doc = std::move(page_doc);
      } else {
        for (const Pointer& items : r.paginate.items) {
          Json* all = resolve_mutable(doc, items);
          const Json* more = resolve(page_doc, items);
          if (!all || !all->is_array() || !more || !more->is_array()) continue;
          for (const Json& item : *more)
            all->push_back(item);
        }
      }
      const Json& last = page == 0 ? doc : page_doc;
      std::string next;
      switch (r.paginate.kind) {
        case Pagination::Kind::kNone:
          break;
        case Pagination::Kind::kLinkHeader:
          next = next_link(response->header("Link"));
          break;
        case Pagination::Kind::kNextUrl:
          if (const Json* n = resolve(last, r.paginate.next_url); n && n->is_string())
            next = n->get<std::string>();
          break;
        case Pagination::Kind::kOffset:
        case Pagination::Kind::kPage: {
          // Page numbers (offsets) until a page brings no items or the total is reached
          // (offsets without a total: or a page brings fewer items than asked for).
          std::size_t count = 0;
          for (const Pointer& items : r.paginate.items)
            if (const Json* list = resolve(last, items); list && list->is_array())
              count += list->size();
          items_seen += count;
          if (count == 0) break;
          bool have_total = false;
          if (r.paginate.total) {
            const Json* total = resolve(doc, *r.paginate.total);
            if (total && total->is_number_unsigned()) {
              have_total = true;
              if (items_seen >= total->get<std::uint64_t>()) break;
            } else if (total && total->is_number_integer() && total->get<std::int64_t>() >= 0) {
              have_total = true;
              if (items_seen >= static_cast<std::uint64_t>(total->get<std::int64_t>())) break;
            }
          }
          if (r.paginate.kind == Pagination::Kind::kOffset) {
            // Without a total, a short page is the last one. With one, the total decides: an
            // API that caps the page size below page_size must not end the listing early.
            if (!have_total && count < static_cast<std::size_t>(r.paginate.page_size)) break;
            next = offset_url(items_seen);
            break;
          }
          next = with_query(first_url, r.paginate.page_query,
                            std::to_string(r.paginate.first_page + page + 1));
          break;
        }
        case Pagination::Kind::kCursor: {
          const Json* more = r.paginate.more ? resolve(last, *r.paginate.more) : nullptr;
          if (r.paginate.more && !(more && more->is_boolean() && more->get<bool>())) break;
          const Json* cursor = resolve(last, r.paginate.cursor);
          std::optional<std::string> text = cursor ? scalar_text(*cursor) : std::nullopt;
          if (!text || text->empty()) break;
          if (r.paginate.cursor_into_body && body) {
            set_at(*body, *r.paginate.cursor_into_body, *cursor);
            next = request.url;
          } else {
            next = with_query(first_url, r.paginate.cursor_query, *text);
          }
          break;
        }
      }
      if (next.empty()) break;
      if (next.rfind("/", 0) == 0) next = origin + next;
      // The next URL comes from the ATS's answer: never send our credentials elsewhere.
      if (url_origin(next) != origin)
        return failed_precondition(what + ": the next page is on another host");
      if (page + 1 >= r.paginate.max_pages)
        return failed_precondition(what + " has more than " + std::to_string(r.paginate.max_pages) +
                                   " pages; raise paginate.max_pages");
      request.url = next;
    }
    if (!doc.is_null()) docs[r.name] = std::move(doc);
  }
  return docs;
}

Result<std::vector<Json>> ApiClient::fetch_answers(
    std::string_view vacancy_id, const std::vector<const Json*>& applications) const {
  if (!spec_.answers) return failed_precondition("the mapping has no api.answers");
  const AnswersSpec& as = *spec_.answers;
  std::vector<Json> out(applications.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  Status first_error;
  const std::vector<RequestSpec> one{as.request};
  // Each worker takes the next application until none is left or one request failed: at
  // most `concurrency` requests are in flight, and every one goes through http_ (the
  // tenant's HttpClient, with its request budget).
  auto work = [&] {
    while (!stop.load()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= applications.size()) return;
      Status failed;
      try {
        Result<Json> docs = run(one, vacancy_id, {}, applications[i]);
        if (docs.ok()) {
          if (auto it = docs->find(as.request.name); it != docs->end()) out[i] = std::move(*it);
        } else {
          failed = docs.status();
        }
      } catch (const std::exception&) {
        failed = internal_error("the answers request failed unexpectedly");
      }
      if (!failed.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.ok()) first_error = std::move(failed);
        stop.store(true);
        return;
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>(
      static_cast<std::size_t>(std::max(as.concurrency, 1)), applications.size());
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads: the remaining workers take the rest
    }
  }
  work();  // this thread is one of the workers
  for (std::thread& t : helpers)
    t.join();
  if (!first_error.ok()) return first_error;
  return out;
}

Status ApiClient::write_ad(std::string_view vacancy_id, const domain::JobAd& ad,
                           std::string_view request_id) const {
  if (!spec_.write_ad) return failed_precondition("the mapping has no api.write_ad");
  const WriteSpec& w = *spec_.write_ad;
  const std::string what = "the ATS write-back";
  Fill fill{vacancy_id, request_id, nullptr, {}};
  std::string missing;
  std::optional<std::string> url = render(w.url, fill, true, missing);
  std::optional<Json> body = render_body(w.body, fill, missing);
  if (!url || !body) return unprocessable(w.path + ": " + missing + " has no value");
  if (!set_at(*body, w.ad_at, ad.body) ||
      (w.language_at && !set_at(*body, *w.language_at, ad.language)))
    return failed_precondition(w.path + ": ad_at passes through a value that is not an object");
  OutboundRequest request = base_request(w.method);
  request.url = url->rfind("/", 0) == 0 ? spec_.base_url + *url : *url;
  if (!has_header(request, "Content-Type"))
    request.headers.emplace_back("Content-Type", "application/json");
  if (!w.idempotency_header.empty())
    request.headers.emplace_back(w.idempotency_header, std::string(request_id));
  request.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
  Result<OutboundResponse> response = send(request, what);
  if (!response.ok()) return response.status();
  return classify(response->status, what);
}

}  // namespace mangfold::generic
