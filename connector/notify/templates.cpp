#include "connector/notify/templates.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connector/common/ascii.hpp"
#include "connector/domain/date.hpp"
#include "connector/notify/digest.hpp"
#include "connector/notify/embedded_templates.hpp"

namespace mangfold::notify {

namespace {

namespace mu = kainjow::mustache;

constexpr std::size_t kMaxTemplateBytes = 256 * 1024;
constexpr std::array<std::string_view, 3> kLanguages = {"nb", "nn", "en"};
constexpr std::array<std::string_view, 7> kTemplateNames = {
    kTemplateShortfall,        kTemplateJustificationMissing,
    kTemplateInsufficientData, kTemplateAdFlagged,
    kTemplateReminder,         kTemplateResolved,
    kTemplateQuotaFlagged};

// ceil(share × n) for a share in parts per million, as the policy engine computes it.
int ceil_share(std::uint32_t share_ppm, int n) {
  if (n <= 0 || share_ppm == 0) return 0;
  const std::uint64_t scaled = std::uint64_t{share_ppm} * static_cast<std::uint64_t>(n);
  return static_cast<int>((scaled + 999'999) / 1'000'000);
}

// A share in parts per million as a percentage for the text: 500000 → "50", 333333 → "33,3"
// (nb, nn) or "33.3" (en).
std::string percent_text(std::uint32_t ppm, std::string_view language) {
  const std::uint32_t tenths = (ppm + 500) / 1000;  // tenths of a percent
  std::string out = std::to_string(tenths / 10);
  if (tenths % 10 != 0) out += (language == "en" ? "." : ",") + std::to_string(tenths % 10);
  return out;
}

// «A», «B» eller «C» (nb, nn) / "A", "B" or "C" (en).
std::string headings_text(const std::vector<std::string>& headings, std::string_view language) {
  const bool en = language == "en";
  const std::string open = en ? "\u201c" : "«", close = en ? "\u201d" : "»";
  const std::string last_join = en ? " or " : " eller ";
  std::string out;
  for (size_t i = 0; i < headings.size(); ++i) {
    if (i > 0) out += i + 1 == headings.size() ? last_join : ", ";
    out += open + headings[i] + close;
  }
  return out;
}

std::string format_date(const domain::Date& d, std::string_view language) {
  static constexpr std::array<std::string_view, 12> kNo = {
      "januar", "februar", "mars",      "april",   "mai",      "juni",
      "juli",   "august",  "september", "oktober", "november", "desember"};
  static constexpr std::array<std::string_view, 12> kEn = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  const size_t m = static_cast<size_t>(std::clamp(d.month, 1, 12) - 1);
  if (language == "en")
    return std::to_string(d.day) + " " + std::string(kEn[m]) + " " + std::to_string(d.year);
  return std::to_string(d.day) + ". " + std::string(kNo[m]) + " " + std::to_string(d.year);
}

// Only web links go into an href: a "javascript:" or "data:" URL from an ATS must not.
std::string safe_url(std::string_view url) {
  const std::string lower = ascii_lower(url.substr(0, 8));
  if (lower.rfind("https://", 0) != 0 && lower.rfind("http://", 0) != 0) return "";
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) return "";
  return std::string(url);
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s;
}

std::string language_of(std::string_view language) {
  for (std::string_view l : kLanguages)
    if (l == language) return std::string(l);
  return "nb";
}

mu::data template_data(const Payload& p) {
  mu::data d;
  // Empty values stay unset: kainjow counts an empty string as true in {{#name}}, and a
  // section such as {{#department}} ({{department}}){{/department}} must then vanish.
  auto set = [&d](const std::string& name, const std::string& value) {
    if (!value.empty()) d.set(name, value);
  };
  auto flag = [&d](const std::string& name, bool value) {
    d.set(name, value ? mu::data::type::bool_true : mu::data::type::bool_false);
  };
  auto count = [&](const std::string& name, int n) {
    set(name, std::to_string(n));
    flag(name + "_one", n == 1);
  };
  const std::string language = language_of(p.language);
  set("language", language);
  set("tenant", p.tenant);
  set("vacancy_id", p.vacancy_id);
  set("title", p.title);
  set("department", p.department);
  // The link the reader acts on: the case-handler view when the adapter knows it.
  set("url", safe_url(p.case_url.empty() ? p.url : p.case_url));
  set("ad_url", safe_url(p.url));
  set("manager_name", p.manager_name);
  set("rule", p.rule);
  set("kind", p.kind);
  set("group_label", p.group_label);
  set("severity", p.severity);
  set("phase", p.phase);
  set("reason_code", p.reason_code);
  count("qualified_in_group", p.counts.qualified_in_group);
  count("invited", p.counts.invited);
  count("invited_in_group", p.counts.invited_in_group);
  count("required", p.counts.required);
  count("missing", p.counts.missing);
  count("unassessed_in_group", p.counts.unassessed_in_group);
  count("proposed", p.counts.proposed);
  flag("unassessed_one", p.counts.unassessed_in_group == 1);
  flag("qualified_one", p.counts.qualified_in_group == 1);  // the templates' short name
  flag("has_qualified", p.counts.qualified_in_group > 0);
  flag("has_invited", p.counts.invited > 0);
  flag("has_invited_in_group", p.counts.invited_in_group > 0);
  // The rule's terms and what they come to for this vacancy. Under a share each new
  // invitation raises N too, so `missing` can exceed R − I: the text then says why.
  {
    const PayloadCounts& c = p.counts;
    const int by_share = ceil_share(p.min_share_ppm, c.invited);
    const int uncapped = std::max(p.min_count, by_share);
    count("min_count", p.min_count);
    flag("has_min_count", p.min_count > 0);
    flag("min_count_many", p.min_count > 1);
    flag("share_rule", p.min_share_ppm > 0);
    flag("share_half", p.min_share_ppm == 500'000);
    set("share_percent", p.min_share_ppm > 0 ? percent_text(p.min_share_ppm, language) : "");
    count("by_share", by_share);
    // R is all the qualified in the group: fewer of them than the rule would ask for.
    flag("capped", c.required == c.qualified_in_group && c.qualified_in_group < uncapped);
    flag("share_sets",
         p.min_share_ppm > 0 && c.invited > 0 && by_share >= p.min_count &&
             !(c.required == c.qualified_in_group && c.qualified_in_group < uncapped));
    flag("missing_grows", c.missing > c.required - c.invited_in_group);
    count("invited_after", c.invited + c.missing);
    count("invited_in_group_after", c.invited_in_group + c.missing);
  }
  set("sentence", p.sentence);
  set("sentence_language", p.sentence_language);
  flag("has_sentence", !p.sentence.empty());
  set("headings_text", headings_text(p.sentence_before, language));
  flag("has_headings", !p.sentence_before.empty());
  flag("headings_one", p.sentence_before.size() == 1);
  for (std::string_view s : {"advice", "warning", "breach"})
    flag(std::string(s), p.severity == s);
  for (std::string_view s : {"screening", "interviewing", "recommendation"})
    flag(std::string(s), p.phase == s);
  for (std::string_view k : {"interview_minimum", "hire_justification", "moderate_quota",
                             "ad_sentence", "ad_mentions", "ad_language"})
    flag("kind_" + std::string(k), p.kind == k);
  flag("kind_ad", p.kind == "ad_sentence" || p.kind == "ad_mentions" || p.kind == "ad_language");
  // ad_language's findings (partial <lang>/ad_language.*): `wording` is the list, each with
  // found, reason, suggestion, source; `also_wording` when they ride in an ad_sentence or
  // ad_mentions email.
  mu::data wording{mu::data::type::list};
  for (const PayloadWording& w : p.wording) {
    mu::data item;
    item.set("found", one_line(w.found));
    item.set("reason", one_line(w.reason));
    item.set("suggestion", one_line(w.suggestion));
    item.set("source", one_line(w.source));
    wording.push_back(item);
  }
  d.set("wording", wording);
  flag("has_wording", !p.wording.empty());
  flag("wording_one", p.wording.size() == 1);
  set("wording_count", p.wording.empty() ? "" : std::to_string(p.wording.size()));
  flag("also_wording", p.kind != "ad_language" && !p.wording.empty());
  flag("reminds_shortfall", p.reminds == kTemplateShortfall);
  flag("reminds_justification_missing", p.reminds == kTemplateJustificationMissing);
  flag("at_deadline", p.occasion == kOccasionDeadline);
  bool known_reason = false;
  for (std::string_view r : {"not_yet_assessed", "no_ad_text", "no_sentence_for_language"}) {
    flag("reason_" + std::string(r), p.reason_code == r);
    known_reason = known_reason || p.reason_code == r;
  }
  flag("reason_other", !known_reason);
  flag("to_manager", p.to_manager);
  flag("has_reply_to", p.reply_to.has_value());
  set("hr_email", p.reply_to ? p.reply_to->email : "");
  const long message_day =
      static_cast<long>(p.date >= 0 ? p.date / 86400 : (p.date - 86399) / 86400);
  set("date_text", format_date(domain::Date::from_days_since_epoch(message_day), language));
  const std::optional<domain::Date> deadline = domain::Date::parse(p.deadline);
  flag("has_deadline", deadline.has_value());
  set("deadline", deadline ? deadline->to_string() : "");
  set("deadline_text", deadline ? format_date(*deadline, language) : "");
  flag("deadline_passed", deadline && deadline->days_since_epoch() < message_day);
  flag("deadline_ahead", deadline && deadline->days_since_epoch() >= message_day);
  return d;
}

// The digest's data in three levels: the email (recipient, date, totals), `vacancies`
// (each vacancy's fields) and each vacancy's `items` (one notification, with every variable
// of a single email and which kind it is). A level sets only its own fields, because
// mustache looks a name that is unset in an item up in the levels around it.
mu::data digest_data(const std::vector<Payload>& entries, std::int64_t date) {
  const Payload& first = entries.front();
  const std::string language = language_of(first.language);
  const long day = static_cast<long>(date >= 0 ? date / 86400 : (date - 86399) / 86400);
  mu::data d;
  auto flag = [](mu::data& on, const std::string& name, bool value) {
    on.set(name, value ? mu::data::type::bool_true : mu::data::type::bool_false);
  };
  d.set("language", language);
  d.set("tenant", first.tenant);
  // The recipient may be a manager, HR standing in for managers without an address, HR
  // receiving its own notices (quota flags), or several of these at once.
  const Payload* as_manager = nullptr;
  bool stands_in = false;
  for (const Payload& e : entries) {
    if (e.to_manager && !as_manager) as_manager = &e;
    if (!e.to_manager && e.template_name != kTemplateQuotaFlagged) stands_in = true;
  }
  flag(d, "to_manager", as_manager != nullptr);
  flag(d, "stands_in", stands_in);
  if (as_manager && !as_manager->manager_name.empty())
    d.set("manager_name", as_manager->manager_name);
  flag(d, "has_reply_to", first.reply_to.has_value());
  if (first.reply_to) d.set("hr_email", first.reply_to->email);
  d.set("date_text", format_date(domain::Date::from_days_since_epoch(day), language));

  mu::data vacancies = mu::data::type::list;
  int action_vacancies = 0;
  for (size_t i = 0; i < entries.size();) {
    const Payload& v = entries[i];
    mu::data vacancy;
    auto set = [&vacancy](const std::string& name, const std::string& value) {
      if (!value.empty()) vacancy.set(name, value);
    };
    set("title", v.title);
    set("department", v.department);
    set("url", safe_url(v.case_url.empty() ? v.url : v.case_url));
    set("ad_url", safe_url(v.url));
    set("vacancy_id", v.vacancy_id);
    set("manager_name", v.manager_name);
    flag(vacancy, "to_manager", v.to_manager);
    const std::optional<domain::Date> deadline = domain::Date::parse(v.deadline);
    flag(vacancy, "has_deadline", deadline.has_value());
    set("deadline", deadline ? deadline->to_string() : "");
    set("deadline_text", deadline ? format_date(*deadline, language) : "");
    flag(vacancy, "deadline_passed", deadline && deadline->days_since_epoch() < day);
    flag(vacancy, "deadline_ahead", deadline && deadline->days_since_epoch() >= day);
    mu::data items = mu::data::type::list;
    bool needs_action = false;
    for (; i < entries.size() && entries[i].vacancy_id == v.vacancy_id; ++i) {
      Payload e = entries[i];
      e.date = date;
      const std::string_view what = e.template_name == kTemplateReminder
                                        ? std::string_view(e.reminds)
                                        : std::string_view(e.template_name);
      mu::data item = template_data(e);
      for (std::string_view name : kTemplateNames)
        if (name != kTemplateReminder) flag(item, "is_" + std::string(name), what == name);
      flag(item, "is_reminder", e.template_name == kTemplateReminder);
      needs_action = needs_action || what != kTemplateResolved;
      items.push_back(item);
    }
    vacancy.set("items", items);
    if (needs_action) ++action_vacancies;
    vacancies.push_back(vacancy);
  }
  d.set("vacancies", vacancies);
  d.set("action_vacancies", std::to_string(action_vacancies));
  flag(d, "action_vacancies_one", action_vacancies == 1);
  flag(d, "has_actions", action_vacancies > 0);
  return d;
}

// kainjow drops the line of a standalone section tag only when the section renders; a
// skipped one leaves its line break behind. The text part therefore gets its blank lines
// normalised: never two in a row, none at the start, one line break at the end.
std::string tidy_text(std::string_view text) {
  std::string out;
  int breaks = 0;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      if (!out.empty() && ++breaks <= 2) out.push_back('\n');
      continue;
    }
    breaks = 0;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out + "\n";
}

Result<std::string> render_one(const std::string& source, const mu::data& data, bool html,
                               std::string_view path) {
  mu::mustache tmpl(source);
  if (!tmpl.is_valid())
    return invalid_argument("email template " + std::string(path) + ": " + tmpl.error_message());
  if (!html) tmpl.set_custom_escape([](const std::string& s) { return s; });
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid())
    return invalid_argument("email template " + std::string(path) + ": " + tmpl.error_message());
  return out;
}

// Subject, text and HTML of template `name` in `language`, with the footers and layout.
Result<RenderedEmail> render_set(const Templates& t, const std::string& language,
                                 std::string_view name, mu::data& data) {
  const std::string base = language + "/" + std::string(name);
  RenderedEmail out;
  Result<std::string> subject =
      render_one(t.file(base + ".subject"), data, false, base + ".subject");
  if (!subject.ok()) return subject.status();
  out.subject = one_line(std::move(*subject));

  Result<std::string> footer =
      render_one(t.file(language + "/footer.txt"), data, false, "footer.txt");
  if (!footer.ok()) return footer.status();
  data.set("footer", *footer);
  // Partials ({{> ad_language}}): the same name in the text and the HTML part.
  const std::string partial_txt = t.file(language + "/ad_language.txt");
  data.set("ad_language", mu::partial([partial_txt] { return partial_txt; }));
  Result<std::string> text = render_one(t.file(base + ".txt"), data, false, base + ".txt");
  if (!text.ok()) return text.status();
  out.text = tidy_text(*text);

  Result<std::string> footer_html =
      render_one(t.file(language + "/footer.html"), data, true, "footer.html");
  if (!footer_html.ok()) return footer_html.status();
  const std::string partial_html = t.file(language + "/ad_language.html");
  data.set("ad_language", mu::partial([partial_html] { return partial_html; }));
  Result<std::string> content = render_one(t.file(base + ".html"), data, true, base + ".html");
  if (!content.ok()) return content.status();
  data.set("content", *content);
  data.set("footer", *footer_html);
  data.set("subject", out.subject);
  Result<std::string> html = render_one(t.file("layout.html"), data, true, "layout.html");
  if (!html.ok()) return html.status();
  out.html = tidy_text(*html);
  return out;
}

}  // namespace

Templates Templates::builtin() {
  Templates t;
  for (const detail::EmbeddedFile& f : detail::embedded_templates())
    t.files_.emplace(std::string(f.path), std::string(f.content));
  return t;
}

Result<Templates> Templates::load(const std::string& override_dir) {
  Templates t = builtin();
  if (override_dir.empty()) return t;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(override_dir, ec))
    return not_found("email template directory " + override_dir + " does not exist");
  for (auto& [path, content] : t.files_) {
    const fs::path file = fs::path(override_dir) / path;
    if (!fs::is_regular_file(file, ec)) continue;
    const auto size = fs::file_size(file, ec);
    if (ec) return unavailable("cannot read email template " + file.string());
    if (size > kMaxTemplateBytes)
      return invalid_argument("email template " + file.string() + " is larger than 256 KiB");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return unavailable("cannot read email template " + file.string());
    mu::mustache check(text.str());
    if (!check.is_valid())
      return invalid_argument("email template " + file.string() + ": " + check.error_message());
    content = text.str();
    t.overridden_.push_back(path);
  }
  return t;
}

const std::string& Templates::file(const std::string& path) const {
  static const std::string kEmpty;
  const auto found = files_.find(path);
  return found == files_.end() ? kEmpty : found->second;
}

Result<RenderedEmail> Templates::render(const Payload& payload) const {
  if (std::find(kTemplateNames.begin(), kTemplateNames.end(), payload.template_name) ==
      kTemplateNames.end())
    return invalid_argument("no email template named '" + payload.template_name + "'");
  mu::data data = template_data(payload);
  return render_set(*this, language_of(payload.language), payload.template_name, data);
}

Result<RenderedEmail> Templates::render_digest(const std::vector<Payload>& entries,
                                               std::int64_t date) const {
  if (entries.empty()) return invalid_argument("a digest needs at least one notification");
  mu::data data = digest_data(entries, date);
  return render_set(*this, language_of(entries.front().language), kTemplateDigest, data);
}

std::string message_id(std::string_view key, const Address& from) {
  const size_t at = from.email.rfind('@');
  const std::string domain =
      at == std::string::npos ? std::string("mangfold.invalid") : from.email.substr(at + 1);
  return "<" + std::string(key) + "@" + domain + ">";
}

Result<Message> compose_digest(const std::vector<Payload>& entries, std::string_view key,
                               std::int64_t date, const Templates& templates, const Address& from) {
  Result<RenderedEmail> rendered = templates.render_digest(entries, date);
  if (!rendered.ok()) return rendered.status();
  const Payload& first = entries.front();
  Message m;
  m.from = from;
  m.to = first.to;
  m.reply_to = first.reply_to;
  // Every cc of the day's notifications, once, and never one of the recipients.
  auto known = [&m](const Address& a) {
    const std::string email = ascii_lower(a.email);
    auto same = [&email](const Address& b) { return ascii_lower(b.email) == email; };
    return std::any_of(m.to.begin(), m.to.end(), same) ||
           std::any_of(m.cc.begin(), m.cc.end(), same);
  };
  for (const Payload& e : entries)
    for (const Address& cc : e.cc)
      if (!known(cc)) m.cc.push_back(cc);
  m.subject = std::move(rendered->subject);
  m.text = std::move(rendered->text);
  m.html = std::move(rendered->html);
  m.message_id = message_id(key, from);
  m.date = date;
  m.language = language_of(first.language);
  return m;
}

Result<Message> compose(const Payload& payload, const Templates& templates, const Address& from) {
  Result<RenderedEmail> rendered = templates.render(payload);
  if (!rendered.ok()) return rendered.status();
  Message m;
  m.from = from;
  m.to = payload.to;
  m.cc = payload.cc;
  m.reply_to = payload.reply_to;
  m.subject = std::move(rendered->subject);
  m.text = std::move(rendered->text);
  m.html = std::move(rendered->html);
  m.message_id = message_id(payload.key, from);
  m.date = payload.date;
  m.language = language_of(payload.language);
  return m;
}

}  // namespace mangfold::notify
