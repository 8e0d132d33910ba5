"""A labelled set of invented jobs, each seen on several boards in the shapes real sources give
(Greenhouse, Lever, Ashby, Workable, a careers page, Remote OK, HN, Mastodon, a LinkedIn
alert), with the hard negatives of issue 10. Deterministic: one seed, no I/O."""

# A table of invented jobs reads best one job to a few lines.
# ruff: noqa: E501

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from aggregator.models import JobDetails, Posting

__all__ = ["Job", "labelled_postings"]

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Company:
    name: str  # as its ATS writes it
    short: str  # as people write it
    board: str  # ATS board token
    ats: str  # greenhouse | lever | ashby | workable | careers
    intro: str
    perks: str


@dataclass(frozen=True)
class Job:
    label: str
    company: Company
    title: str
    location: str
    day: int  # days after T0
    duties: tuple[str, ...]
    remote: bool = False
    boards: tuple[str, ...] = ("ats", "remoteok", "hn", "toot", "linkedin")
    variants: dict[str, str] = field(default_factory=dict)  # board -> title as written there
    places: dict[str, str | None] = field(default_factory=dict)  # board -> location there


COMPANIES = [
    Company("Quillfeather Analytics, Inc.", "Quillfeather", "quillfeather", "greenhouse",
            "Quillfeather builds forecasting tools for regional grocers and their suppliers.",
            "We offer a learning budget, four weeks of leave and a yearly team retreat."),
    Company("Brightmoor Robotics GmbH", "Brightmoor Robotics", "brightmoor", "lever",
            "Brightmoor Robotics designs autonomous carts for hospital logistics.",
            "Perks include a public transport pass, lunch subsidies and flexible hours."),
    Company("Tallowbrook Ltd", "Tallowbrook", "tallowbrook", "ashby",
            "Tallowbrook is a small studio making accounting software for charities.",
            "You get a home office budget, private health cover and a four-day week trial."),
    Company("Nimbleworth LLC", "Nimbleworth", "nimbleworth", "workable",
            "Nimbleworth runs a marketplace connecting farmers with restaurant kitchens.",
            "Benefits: equity, a generous parental leave policy and a wellness allowance."),
    Company("Corvid Harbor Corp.", "Corvid Harbor", "corvidharbor", "careers",
            "Corvid Harbor operates container terminal scheduling software in six ports.",
            "We provide pension matching, relocation support and paid volunteering days."),
    Company("Emberline Health Inc.", "Emberline", "emberline", "greenhouse",
            "Emberline Health helps clinics run remote physiotherapy programmes.",
            "Our benefits include health, dental and vision cover and a home office stipend."),
    Company("Pallas & Finch GmbH", "Pallas & Finch", "pallasfinch", "greenhouse",
            "Pallas & Finch makes payroll software for craft businesses in the DACH region.",
            "We offer a Deutschlandticket, 30 days of holiday and a company pension."),
    Company("Orrery Labs", "Orrery Labs", "orrerylabs", "lever",
            "Orrery Labs builds satellite imagery pipelines for insurers.",
            "We pay for conferences, offer stock options and a flexible schedule."),
]  # fmt: skip
COMPANIES += [
    Company("Saltmarsh Logistics S.A.", "Saltmarsh", "SaltmarshLogistics", "smartrecruiters",
            "Saltmarsh Logistics plans cold-chain routes for pharmacies across Iberia.",
            "We offer meal vouchers, a hybrid schedule and Portuguese or Spanish lessons."),
    Company("Kestrel Loom B.V.", "Kestrel Loom", "kestrelloom", "recruitee",
            "Kestrel Loom sells circular-fashion rental software to clothing brands.",
            "We offer a bike plan, 28 days of leave and a clothing allowance."),
]  # fmt: skip
QF, BM, TB, NW, CH, EH, PF, OL, SL, KL = COMPANIES

DUTIES = {
    "backend": (
        "Design and run the services that ingest supplier price feeds every night.",
        "Own the Postgres schema and the migrations that keep it healthy.",
        "Write Go services with good tests and clear metrics.",
        "Work with the data team on the forecasting API and its latency budget.",
        "Take part in a gentle on-call rotation, one week in eight.",
    ),
    "frontend": (
        "Build the React screens that store managers use to plan their orders.",
        "Care about accessibility, performance budgets and a consistent design system.",
        "Work closely with designers to turn prototypes into shipped features.",
        "Write TypeScript that others enjoy reading and reviewing.",
    ),
    "data": (
        "Own the dashboards that tell leadership how campaigns perform.",
        "Write SQL and dbt models over our event warehouse.",
        "Run experiments with the product team and explain the results plainly.",
        "Define metrics and make sure every team reads them the same way.",
    ),
    "finance": (
        "Build the monthly close reports and the cash flow forecast.",
        "Model unit economics for new markets with the strategy team.",
        "Automate reconciliation between the bank feeds and the ledger.",
        "Answer questions from auditors with clear, documented numbers.",
    ),
    "robotics": (
        "Develop motion planning for carts in crowded hospital corridors.",
        "Write C++ and ROS 2 nodes that run on embedded hardware.",
        "Test in simulation first and then on the ward floor with nurses.",
        "Improve localisation using lidar and wheel odometry fusion.",
    ),
    "design": (
        "Shape the product from research interviews to polished screens.",
        "Run usability tests with treasurers of small charities.",
        "Maintain our Figma component library and its documentation.",
    ),
    "sre": (
        "Run our Kubernetes clusters across two cloud regions.",
        "Improve alerting so that pages mean something and rarely wake anyone.",
        "Automate infrastructure with Terraform and review every change.",
        "Lead incident reviews that end in real fixes.",
    ),
    "pm": (
        "Own the roadmap for the scheduling product used by port operators.",
        "Talk to customers every week and turn what you learn into clear bets.",
        "Work with engineering and design to ship in small increments.",
    ),
    "clinical": (
        "Build the exercise programme editor that physiotherapists use daily.",
        "Integrate with clinic calendars and video calling providers.",
        "Keep patient data safe and meet HIPAA requirements.",
    ),
    "payroll": (
        "Implement German payroll rules and keep them current each January.",
        "Build export formats for tax offices and health insurers.",
        "Work with our customer success team on edge cases from real bakeries.",
    ),
    "imaging": (
        "Build pipelines that turn raw satellite tiles into flood risk layers.",
        "Tune Python and Rust code that processes terabytes a day.",
        "Work with actuaries to validate models against claims history.",
    ),
}

EEO = (
    "We are an equal opportunity employer and value diversity. All qualified applicants will "
    "receive consideration for employment without regard to race, color, religion, sex, sexual "
    "orientation, gender identity, national origin, disability or veteran status. If you need a "
    "reasonable accommodation during the process, let us know."
)
APPLY = "Apply now and we will get back to you within a week."


def _job(label: str, company: Company, title: str, location: str, day: int, duty: str,
         **kw: object) -> Job:  # fmt: skip
    duties = DUTIES[duty]
    return Job(label, company, title, location, day, duties, **kw)  # type: ignore[arg-type]


JOBS = [
    # Plain duplicates across boards, with title and place variations.
    _job("qf-be-sr-munich", QF, "Senior Backend Engineer", "Munich, Germany", 0, "backend",
         variants={"remoteok": "Sr. Backend Engineer", "linkedin": "Senior Backend Engineer (m/w/d)",
                   "toot": "Senior Backend Eng."}, places={"hn": "München, DE", "linkedin": "Munich, Bavaria, Germany"}),
    # Hard negative: the same title at the same company in another city.
    _job("qf-be-sr-vienna", QF, "Senior Backend Engineer", "Vienna, Austria", 3, "backend",
         places={"hn": "Wien", "toot": "Vienna"}, boards=("ats", "remoteok", "hn", "toot")),
    # Hard negative: X vs Senior X.
    _job("qf-be-munich", QF, "Backend Engineer", "Munich, Germany", 5, "backend",
         variants={"hn": "Backend Engineer (Mid-level)"}, boards=("ats", "remoteok", "linkedin")),
    _job("qf-fe-remote-us", QF, "Frontend Engineer", "Remote - US", 8, "frontend", remote=True,
         places={"remoteok": "United States", "toot": "Remote (US)"}),
    # Hard negative: remote-US vs remote-EU.
    _job("qf-fe-remote-eu", QF, "Frontend Engineer", "Remote - Europe", 9, "frontend", remote=True,
         places={"remoteok": "Europe", "hn": "Remote (EU)"}, boards=("ats", "remoteok", "hn")),
    # Hard negatives: team variants.
    _job("qf-da-marketing", QF, "Data Analyst, Marketing", "Berlin, Germany", 12, "data",
         variants={"remoteok": "Data Analyst - Marketing"}, boards=("ats", "remoteok", "linkedin")),
    _job("qf-da-finance", QF, "Data Analyst, Finance", "Berlin, Germany", 12, "finance",
         boards=("ats", "remoteok", "linkedin")),
    _job("bm-robotics-munich", BM, "Robotics Software Engineer", "München", 2, "robotics",
         variants={"hn": "Robotics Software Engineer (C++/ROS)", "linkedin": "Robotics Software Engineer"},
         places={"remoteok": "Munich", "linkedin": "Munich, Bavaria, Germany"}),
    _job("bm-robotics-cologne", BM, "Robotics Software Engineer", "Köln", 4, "robotics",
         places={"remoteok": "Cologne, Germany"}, boards=("ats", "remoteok", "toot")),
    _job("bm-robotics-sr", BM, "Senior Robotics Software Engineer", "München", 6, "robotics",
         boards=("ats", "linkedin", "hn")),
    _job("bm-sre", BM, "Site Reliability Engineer", "Munich or Remote (EU)", 20, "sre",
         remote=True, places={"remoteok": "Remote, Europe", "toot": "Munich"}),
    _job("tb-designer", TB, "Product Designer", "London, UK", 1, "design",
         variants={"toot": "Product Designer 🎨", "hn": "Product Designer"},
         places={"linkedin": "United Kingdom"}),
    _job("tb-designer-sr", TB, "Senior Product Designer", "London, UK", 1, "design",
         boards=("ats", "remoteok", "linkedin")),
    _job("tb-be-jr", TB, "Junior Backend Developer", "Remote (UK)", 14, "backend", remote=True,
         variants={"remoteok": "Jr. Backend Developer", "hn": "Junior Back-end Developer"},
         places={"remoteok": "United Kingdom"}),
    _job("nw-fullstack", NW, "Full-Stack Engineer", "Remote", 3, "frontend", remote=True,
         variants={"remoteok": "Full Stack Engineer", "hn": "Fullstack Engineer", "toot": "Full-stack Engineer"}),
    _job("nw-data-2", NW, "Data Engineer II", "Chicago, IL", 10, "data",
         variants={"linkedin": "Data Engineer 2"}, places={"hn": "Chicago", "linkedin": "Chicago, Illinois, United States"}),
    _job("nw-data-3", NW, "Data Engineer III", "Chicago, IL", 10, "data",
         boards=("ats", "remoteok", "linkedin")),
    _job("ch-pm-rotterdam", CH, "Product Manager", "Rotterdam, Netherlands", 7, "pm",
         places={"linkedin": "Rotterdam, South Holland, Netherlands"}),
    _job("ch-pm-hamburg", CH, "Product Manager", "Hamburg, Germany", 7, "pm",
         boards=("ats", "remoteok", "linkedin")),
    _job("ch-sre", CH, "SRE", "Rotterdam", 25, "sre", variants={"hn": "SRE"},
         boards=("ats", "hn", "linkedin")),
    _job("eh-clinical", EH, "Software Engineer, Clinical Tools", "Remote (US)", 2, "clinical",
         remote=True, variants={"remoteok": "Software Engineer - Clinical Tools", "hn": "Software Engineer, Clinical Tools"}),
    _job("eh-swe-platform", EH, "Software Engineer, Platform", "Remote (US)", 2, "sre",
         remote=True, boards=("ats", "remoteok", "linkedin")),
    _job("eh-swe", EH, "Software Engineer", "Remote (US)", 30, "backend", remote=True,
         boards=("ats", "remoteok", "toot")),
    _job("pf-payroll-vienna", PF, "Backend Developer (Payroll)", "Wien, Österreich", 4, "payroll",
         variants={"remoteok": "Backend Developer (Payroll)"}, places={"linkedin": "Vienna, Vienna, Austria", "hn": "Vienna, AT"}),
    _job("pf-payroll-berlin", PF, "Backend Developer (Payroll)", "Berlin", 4, "payroll",
         boards=("ats", "remoteok", "linkedin")),
    _job("pf-intern", PF, "Software Engineering Intern", "Berlin", 15, "backend",
         variants={"toot": "Software Engineering Internship", "linkedin": "Software Engineering Intern"}),
    _job("ol-imaging", OL, "Machine Learning Engineer, Imaging", "Remote - EU", 6, "imaging",
         remote=True, variants={"remoteok": "ML Engineer, Imaging", "hn": "Machine Learning Engineer - Imaging"},
         places={"remoteok": "Europe"}),
    _job("ol-imaging-us", OL, "Machine Learning Engineer, Imaging", "Remote - US", 6, "imaging",
         remote=True, boards=("ats", "remoteok", "linkedin"), places={"remoteok": "USA"}),
    _job("ol-lead", OL, "Lead Data Engineer", "Amsterdam", 18, "data",
         variants={"hn": "Lead Data Engineer"}, boards=("ats", "hn", "toot", "linkedin")),
    _job("ol-de", OL, "Data Engineer", "Amsterdam", 18, "data", boards=("ats", "remoteok", "toot")),
    # Hard negative: the same text reposted 90 days later under a new requisition.
    _job("qf-be-sr-munich-repost", QF, "Senior Backend Engineer", "Munich, Germany", 90, "backend",
         boards=("ats", "remoteok", "linkedin")),
    _job("bm-robotics-munich-repost", BM, "Robotics Software Engineer", "München", 95, "robotics",
         boards=("ats", "remoteok")),
]  # fmt: skip
JOBS += [
    _job("sl-ops-lisbon", SL, "Operations Analyst", "Lisboa, Portugal", 11, "data",
         variants={"linkedin": "Operations Analyst", "toot": "Operations Analyst"},
         places={"linkedin": "Lisbon, Lisbon, Portugal", "hn": "Lisbon"}),
    _job("sl-ops-madrid", SL, "Operations Analyst", "Madrid, Spain", 11, "data",
         boards=("ats", "remoteok", "linkedin")),
    _job("sl-sr-ops-lisbon", SL, "Sr Operations Analyst", "Lisbon", 13, "data",
         boards=("ats", "linkedin", "toot")),
    _job("kl-fe-amsterdam", KL, "Front-end Developer", "Amsterdam, Netherlands", 16, "frontend",
         variants={"remoteok": "Frontend Developer", "hn": "Front End Developer"},
         places={"linkedin": "Amsterdam, North Holland, Netherlands"}),
    _job("kl-fe-amsterdam-sr", KL, "Senior Front-end Developer", "Amsterdam, Netherlands", 16,
         "frontend", boards=("ats", "remoteok", "hn")),
]  # fmt: skip
# Boilerplate-heavy different jobs: one company, long shared text, a line of their own.
BOILER_TITLES = ("Customer Success Manager", "Account Executive", "Sales Development Representative",
                 "Partnerships Manager", "Support Specialist")  # fmt: skip
for _i, _title in enumerate(BOILER_TITLES):
    JOBS.append(
        Job(f"eh-boiler-{_i}", EH, _title, "Denver, CO", 40 + _i,
            (f"As a {_title} you will look after a portfolio of clinics.",),
            boards=("ats", "remoteok", "linkedin"))
    )  # fmt: skip


def _description(job: Job, rng: random.Random, *, boiler: bool = True) -> list[str]:
    company = job.company
    duties = list(job.duties)
    rng.shuffle(duties)
    lines = [company.intro, f"We are hiring a {job.title} in {job.location}.", *duties]
    if job.label.startswith("eh-boiler"):
        lines += [company.intro * 1, "Our clinics span forty states and serve thousands of "
                  "patients a week, and we are growing every quarter.", company.perks,
                  "Our values: be kind, be curious, be accountable, and ship."]  # fmt: skip
    lines.append(company.perks)
    if boiler:
        lines += [EEO, APPLY]
    return lines


def _html(lines: list[str]) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


class _Maker:
    """Turns a job into its sightings, one per board, each in that board's shape."""

    def __init__(self) -> None:
        self.rng = random.Random(10)
        self.counter = 4_000_000

    def next_id(self) -> int:
        self.counter += self.rng.randint(3, 977)
        return self.counter

    def uuid(self) -> str:
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def ats_url(self, job: Job) -> str:
        c = job.company
        if c.ats == "greenhouse":
            return f"https://boards.greenhouse.io/{c.board}/jobs/{self.next_id()}002"
        if c.ats == "lever":
            return f"https://jobs.lever.co/{c.board}/{self.uuid()}"
        if c.ats == "ashby":
            return f"https://jobs.ashbyhq.com/{c.board}/{self.uuid()}"
        if c.ats == "workable":
            code = f"{self.rng.getrandbits(40):010X}"
            return f"https://apply.workable.com/{c.board}/j/{code}/"
        if c.ats == "smartrecruiters":
            slug = job.title.lower().replace(" ", "-")
            return f"https://jobs.smartrecruiters.com/{c.board}/{self.next_id()}44-{slug}"
        if c.ats == "recruitee":
            return f"https://{c.board}.recruitee.com/o/{job.label}-{self.rng.randint(10, 99)}"
        return f"https://careers.{c.board}.example/jobs/{job.label}-{self.next_id()}"

    def sightings(self, job: Job) -> list[Posting]:
        ats_url = self.ats_url(job)
        out = []
        for board in job.boards:
            maker = getattr(self, f"_{board}")
            out.append(maker(job, ats_url, job.variants.get(board, job.title),
                             job.places.get(board, job.location)))  # fmt: skip
        return out

    def _posting(self, job: Job, *, source: str, key: str, title: str, url: str | None,
                 company: str | None, location: str | None, lines: list[str], day: float,
                 html: str | None = None) -> Posting:  # fmt: skip
        description_html = html if html is not None else _html(lines)
        return Posting(
            source=source, dedup_key=key, title=title, url=url, external_id=key.split(":", 1)[1],
            company=company, location=location, description="\n\n".join(lines),
            description_html=description_html, tags=(),
            posted_at=T0 + timedelta(days=day), first_seen_at=T0 + timedelta(days=day + 0.2),
            job=JobDetails(remote="yes" if job.remote else "unknown"),
        )  # fmt: skip

    def _ats(self, job: Job, ats_url: str, title: str, place: str | None) -> Posting:
        lines = _description(job, self.rng)
        if job.company.ats == "careers":  # a careers page that embeds Greenhouse
            ats_url = f"https://www.{job.company.board}.example/careers/job?gh_jid={self.next_id()}"
        return self._posting(job, source=f"{job.company.board}-{job.company.ats}",
                             key=f"guid:{ats_url.rsplit('/', 1)[-1] or ats_url}", title=title,
                             url=ats_url, company=job.company.name, location=place,
                             lines=lines, day=job.day)  # fmt: skip

    def _remoteok(self, job: Job, ats_url: str, title: str, place: str | None) -> Posting:
        lines = _description(job, self.rng)
        word = self.rng.choice(["LANTERN", "QUARTZ", "MERIDIAN", "HARVEST"])
        lines.append(f"Please mention the word **{word}** and tag RMzguNjgu{self.rng.randint(10, 99)}"
                     " when applying to show you read the job post completely. This is a beta "
                     "feature to avoid spam applicants.")  # fmt: skip
        rid = self.next_id() % 10_000_000
        slug = title.lower().replace(" ", "-").replace(",", "").replace(".", "")
        # Half the time Remote OK links straight to the ATS, half to its own page.
        url = (f"{ats_url}?utm_source=remoteok&ref=remoteok" if self.rng.random() < 0.5
               else f"https://remoteok.com/remote-jobs/remote-{slug}-{rid}")  # fmt: skip
        return self._posting(job, source="remoteok", key=f"guid:{rid}", title=title, url=url,
                             company=job.company.short, location=place if place else None,
                             lines=lines, day=job.day + self.rng.randint(0, 3))  # fmt: skip

    def _hn(self, job: Job, ats_url: str, title: str, place: str | None) -> Posting:
        cid = self.next_id()
        c = job.company
        remote = " | REMOTE" if job.remote else " | ONSITE"
        head = f"{c.short} | {title} | {place}{remote} | Full-time"
        duties = list(job.duties)
        self.rng.shuffle(duties)
        lines = [f"{c.short} ({c.intro.split(' ', 2)[-1].rstrip('.')}) is hiring.",
                 f"We need a {title.lower()} who enjoys this kind of work: " + " ".join(duties[:2]),
                 "Small team, no meetings before ten."]  # fmt: skip
        link = self.rng.random() < 0.6
        if link:
            lines.append(f"Apply here: {ats_url}?gh_src=hn&lever-source=HN")
        return self._posting(job, source="hn", key=f"guid:hn:{cid}", title=title,
                             url=f"https://news.ycombinator.com/item?id={cid}",
                             company=c.short, location=place, lines=[head, *lines],
                             day=job.day + self.rng.randint(0, 10))  # fmt: skip

    def _toot(self, job: Job, ats_url: str, title: str, place: str | None) -> Posting:
        c = job.company
        sid = self.next_id() * 1000
        poster, shape = self.rng.choice([
            ("Mira Okafor", "[Hiring] {title} at {co} ({place})"),
            (f"{c.short} Jobs", "🚀 {co} is hiring a {title}! {place}"),
            ("Jonas Reuter", "{co}: {title} - {place} #hiring"),
        ])  # fmt: skip
        first = shape.format(title=title, co=c.short, place=place or "")
        lines = [first, f"Come work with us on {job.duties[0].lower()}", "#hiring #jobs #fedihire"]
        if self.rng.random() < 0.5:
            lines.append(ats_url)
        handle = poster.split()[0].lower()
        return self._posting(job, source="mastodon-hiring", key=f"guid:https://fedi.example/users/{handle}/statuses/{sid}",
                             title=first, url=f"https://fedi.example/@{handle}/{sid}",
                             company=poster, location=None, lines=lines,
                             day=job.day + self.rng.randint(0, 6))  # fmt: skip

    def _linkedin(self, job: Job, ats_url: str, title: str, place: str | None) -> Posting:
        jid = 4_400_000_000 + self.next_id()
        url = f"https://www.linkedin.com/comm/jobs/view/{jid}/?trackingId=REDACTED&refId=REDACTED"
        name = job.company.name if self.rng.random() < 0.5 else job.company.short
        return self._posting(job, source="linkedin-alerts", key=f"url:{url}", title=title,
                             url=url, company=name, location=place,
                             lines=[title, name, place or "", "This company is actively hiring"],
                             day=job.day + self.rng.randint(1, 5))  # fmt: skip


def labelled_postings() -> list[tuple[str, Posting]]:
    """Every sighting of every job, with its job's label, in the order they were first seen."""
    maker = _Maker()
    pairs = [(job.label, posting) for job in JOBS for posting in maker.sightings(job)]
    pairs.sort(key=lambda pair: pair[1].first_seen_at)
    return pairs
