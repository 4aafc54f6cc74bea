"""A whole district site of unknown layout, generated from a compact spec (a site's ``site.json``
``"generated"`` key) instead of thousands of files: what a row that starts from a home page meets.

The home page has a large navigation; every news column is a TRS list (``createPageHTML``,
``index_N.html``) of hundreds of pages, each news page linking its neighbours; the 政府信息公开
column holds 法定主动公开内容 (a long paged list), a guide, and the 年报 column three links down:
per-year sub-columns, each with 区政府 / 部门 / 街道乡镇 lists (paged too), reports as HTML detail
pages, as detail pages with only a PDF attached, and as PDFs the list links directly, with
decoys (…年度报告解读, 工作要点, notices) beside them. Off-site links point at ``{{OFFSITE}}``; the
crawler trap is the site's ``traps`` (served by crawl_mirror.Mirror).
"""

from __future__ import annotations

from html import escape


def _nav(site: dict) -> str:
    links = "".join(f'<li><a href="{path}">{name}</a></li>' for name, path, *_ in site["columns"])
    extra = "".join(f'<li><a href="{path}">{name}</a></li>' for name, path in site["nav_extra"])
    return (f'<div class="nav"><ul><li><a href="/">首页</a></li>{links}{extra}</ul>'
            f'<a href="http://{{{{OFFSITE}}}}/">首都之窗</a> <a href="http://{{{{OFFSITE}}}}/hudong/">12345市民热线</a></div>')


def _page(site: dict, title: str, body: str, pubdate: str | None = None) -> str:
    meta = f'<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{pubdate}">' if pubdate else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{meta}<title>{escape(title)}_{site["site_name"]}</title></head>'
            f'<body>{_nav(site)}{body}<div class="footer">主办：{site["site_name"]} '
            f'<a href="http://{{{{OFFSITE}}}}/about.html">网站地图</a></div></body></html>')


def _list(site: dict, title: str, items: list[tuple[str, str]], pages: int = 1, current: int = 0) -> str:
    lis = "".join(f'<li><a href="{href}" title="{escape(text)}">{escape(text)}</a></li>' for href, text in items)
    pager = f'<div class="page"><script>createPageHTML({pages}, {current}, "index", "html");</script></div>' if pages > 1 else ""
    return _page(site, title, f'<div class="crumb">首页 &gt; {escape(title)}</div><ul class="list">{lis}</ul>{pager}')


def _report_body(office: str, year: int) -> str:
    return (f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日起至{year}年12月31日止。</p>"
            f"<p>一、总体情况</p><p>{year}年，{office}依法做好主动公开和依申请公开工作。</p>"
            "<p>二、主动公开政府信息情况</p><table><tr><td>规章</td><td>0</td></tr></table>"
            "<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>予以公开</td><td>3</td></tr></table>"
            "<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td>行政复议</td><td>0</td></tr></table>"
            "<p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>")


class DistrictSite:
    """Every page of the generated site, rendered when asked: ``body(path)`` is bytes or None."""

    def __init__(self, spec: dict):
        self.site = spec
        self.routes: dict[str, tuple] = {}
        self.reports: list[dict] = []  # what the site serves as reports (for the tests)
        self._serial = 100000
        self._home()
        for name, path, pages in spec["columns"]:
            self._news_column(name, path, pages)
        self._disclosure(spec["disclosure"])

    # -- what the tests read ---------------------------------------------------------------------
    def body(self, path: str) -> bytes | None:
        if path.endswith("/"):
            path += "index.html"
        route = self.routes.get(path)
        if route is None:
            return None
        kind, *args = route
        if kind == "pdf":
            return b"%PDF-1.4\n% " + args[0].encode("utf-8") + b"\n%%EOF\n"
        return getattr(self, f"_render_{kind}")(*args).encode("utf-8")

    def _doc_path(self, folder: str, year: int) -> str:
        self._serial += 1
        return f"{folder}{year}03/t{year}0315_{self._serial}.html"

    # -- home and news ---------------------------------------------------------------------------
    def _home(self) -> None:
        self.routes["/index.html"] = ("home",)

    def _render_home(self) -> str:
        site = self.site
        blocks = "".join(f'<div class="block"><h2><a href="{path}">{name}</a></h2></div>' for name, path, *_ in site["columns"])
        return _page(site, site["site_name"], f'<div class="home">{blocks}<a href="/search/?q=">站内搜索</a></div>')

    def _news_column(self, name: str, folder: str, pages: int) -> None:
        per = self.site["per_page"]
        docs = [self._doc_path(folder, 2020 + i % 5) for i in range(pages * per)]
        for i in range(pages):
            page = "index.html" if i == 0 else f"index_{i}.html"
            self.routes[folder + page] = ("news_list", name, folder, docs, i, pages)
        for k, doc in enumerate(docs):
            self.routes[doc] = ("news", name, docs, k)

    def _render_news_list(self, name, folder, docs, i, pages) -> str:
        per = self.site["per_page"]
        items = [(doc, f"{name}：房山区第{k + 1}条信息") for k, doc in enumerate(docs) if i * per <= k < (i + 1) * per]
        return _list(self.site, name, items, pages, i)

    def _render_news(self, name, docs, k) -> str:
        around = "".join(f'<a href="{docs[j]}">{label}</a> ' for j, label in ((k - 1, "上一篇"), (k + 1, "下一篇")) if 0 <= j < len(docs))
        title = f"{name}：房山区第{k + 1}条信息"
        return _page(self.site, title, f"<h1>{title}</h1><p>区有关部门召开会议，部署近期工作。</p>{around}", "2024-05-01")

    # -- the 政府信息公开 column --------------------------------------------------------------------
    def _disclosure(self, spec: dict) -> None:
        root = spec["path"]
        self.routes[root + "index.html"] = ("static", spec["title"], [(root + sub["path"], sub["title"]) for sub in spec["children"]])
        for sub in spec["children"]:
            folder = root + sub["path"]
            if sub.get("kind") == "statutory":
                self._statutory(folder, sub)
            elif sub.get("kind") == "reports":
                self._reports(folder, sub)
            else:
                self.routes[folder + "index.html"] = ("static", sub["title"], [])

    def _statutory(self, folder: str, sub: dict) -> None:
        per = self.site["per_page"]
        items = [(self._doc_path(folder, 2023), f"房山区规范性文件第{k + 1}号") for k in range(sub["pages"] * per)]
        for i, title in enumerate(sub.get("decoys", ())):
            items[i] = (self._doc_path(folder, 2024), title)
        for path, title in items:
            self.routes[path] = ("static", title, [])
        for i in range(sub["pages"]):
            page = "index.html" if i == 0 else f"index_{i}.html"
            self.routes[folder + page] = ("list", sub["title"], items[i * per:(i + 1) * per], sub["pages"], i)

    def _reports(self, folder: str, sub: dict) -> None:
        years = sub["years"]
        self.routes[folder + "index.html"] = ("static", sub["title"], [(f"{folder}{y}/", label) for y, label in years])
        for year, label in years:
            lists = [c for c in sub["lists"] if c["year"] == year]
            ydir = f"{folder}{year}/"
            self.routes[ydir + "index.html"] = ("static", label, [(ydir + c["path"], c["title"]) for c in lists])
            for column in lists:
                self._report_list(ydir + column["path"], column)

    def _report_list(self, folder: str, column: dict) -> None:
        items = []
        pdf = None
        for entry in column["items"]:
            form, text = entry[0], entry[1]
            year = column["report_year"]
            path = self._doc_path(folder, year + 1)
            if form == "file":  # the list links the report file itself
                path = path.replace(".html", ".pdf")
                self.routes[path] = ("pdf", text)
            elif form == "decoy":
                self.routes[path] = ("static", text, [])
            elif form == "html":
                self.routes[path] = ("report", text, year, None)
            else:  # a page that only carries the report as an attachment
                pdf = path.rsplit("/", 1)[0] + f"/P0{self._serial}.pdf"
                self.routes[pdf] = ("pdf", text)
                self.routes[path] = ("report", text, year, pdf)
            if form != "decoy":
                source = pdf if form == "pdf" else path
                self.reports.append({"title": text, "url": path, "source": source, "form": form, "year": year})
            items.append((path, text))
        per = column.get("per_page", len(items)) or 1
        pages = max(1, -(-len(items) // per))
        for i in range(pages):
            page = "index.html" if i == 0 else f"index_{i}.html"
            self.routes[folder + page] = ("list", column["title"], items[i * per:(i + 1) * per], pages, i)

    def _render_static(self, title, links) -> str:
        lis = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
        return _page(self.site, title, f"<h1>{escape(title)}</h1><ul>{lis}</ul>", "2024-01-10")

    def _render_list(self, title, items, pages, i) -> str:
        return _list(self.site, title, items, pages, i)

    def _render_report(self, title, year, pdf) -> str:
        if pdf:
            body = f'<p>附件：<a href="{pdf}">{escape(title)}.pdf</a></p>'
        else:
            body = _report_body(title, year)
        return _page(self.site, title, f"<h1>{escape(title)}</h1>{body}", f"{year + 1}-03-15")
