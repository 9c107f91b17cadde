"""``flask --app app worker`` and ``flask --app app jobs list|run NAME|run-due`` (logging: operations.requestlog)."""

import click

from outbox import jobs
from outbox.worker import Worker, worker_name
from timeutil import utcnow


def register_commands(app):
    app.cli.add_command(worker)
    app.cli.add_command(jobs_group)



@click.command("worker")
@click.option("--once", is_flag=True, help="One round (jobs due, then the outbox until nothing is due), then exit.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between rounds when nothing is due.")
def worker(once, poll):
    """Deliver the outbox and run the scheduled jobs; several may run at once."""
    Worker(poll=poll).run(once=once)


@click.group("jobs")
def jobs_group():
    """The scheduled jobs the worker runs (each can also run from cron)."""


@jobs_group.command("list")
def list_jobs():
    """The jobs and their local times."""
    for job in jobs.JOBS.values():
        where = "each centre's time zone" if job.per_centre else "the city's time zone"
        click.echo(f"{job.name}  daily at {job.at:%H:%M} ({where})  {job.description}")


@jobs_group.command("run")
@click.argument("name", type=click.Choice(sorted(jobs.JOBS)))
def run_job(name):
    """Run the job's latest slot now, unless a worker already ran it."""
    job = jobs.JOBS[name]
    now = utcnow()
    for scope, tz_name, centre in jobs.scopes(job):
        for slot in jobs.due_slots(job, tz_name, None, now):
            summary = jobs.run_slot(job, scope, centre, slot, worker_name(), now)
            click.echo(f"{name} {scope} {slot:%Y-%m-%d %H:%M} UTC: {summary if summary is not None else 'ran before'}")


@jobs_group.command("run-due")
def run_due():
    """Every job's slots that are due (what a worker does each round)."""
    for name, scope, slot, summary in jobs.run_due(worker_name()):
        click.echo(f"{name} {scope} {slot:%Y-%m-%d %H:%M} UTC: {summary}")
