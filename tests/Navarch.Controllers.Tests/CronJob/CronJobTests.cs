using k8s.Models;
using Navarch.Controllers.CronJob;

namespace Navarch.Controllers.Tests.CronJob;

[Trait("Category", "Unit")]
public sealed class CronJobTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 12, 0, 30, TimeSpan.Zero);

    private static V1CronJob NewCronJob(string schedule = "*/1 * * * *", string? zone = "UTC", long? startingDeadline = null, int? keepSucceeded = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "hello", NamespaceProperty = "default", Uid = "cj-uid", CreationTimestamp = Created.UtcDateTime },
        Spec = new V1CronJobSpec
        {
            Schedule = schedule, TimeZone = zone, StartingDeadlineSeconds = startingDeadline, SuccessfulJobsHistoryLimit = keepSucceeded,
            JobTemplate = new V1JobTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "hello" } },
                Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "OnFailure", Containers = [new V1Container { Name = "c", Image = "busybox" }] } } },
            },
        },
        Status = new V1CronJobStatus(),
    };

    [Fact]
    public void Every_minute_starts_at_the_next_minute_and_names_the_job_by_it()
    {
        var cj = NewCronJob();
        var schedule = CronSchedule.Parse(cj.Spec.Schedule, cj.Spec.TimeZone);
        Assert.Equal((null, 0), schedule.MostRecent(cj, Created.AddSeconds(20)));
        var (latest, missed) = schedule.MostRecent(cj, Created.AddSeconds(40));
        Assert.Equal((new DateTimeOffset(2026, 12, 7, 12, 1, 0, TimeSpan.Zero), 1), (latest, missed));
        Assert.Equal($"hello-{latest!.Value.ToUnixTimeSeconds() / 60}", CronSchedule.JobName("hello", latest.Value));
        var job = CronJobDecisions.NewJob(cj, latest.Value);
        Assert.Equal(("hello", "2026-12-07T12:01:00Z"), (job.Metadata.Labels["app"], job.Metadata.Annotations[CronJobDecisions.ScheduledTimestamp]));
        Assert.Equal(("CronJob", "cj-uid", true), (job.Metadata.OwnerReferences[0].Kind, job.Metadata.OwnerReferences[0].Uid, job.Metadata.OwnerReferences[0].Controller));
    }

    [Fact]
    public void Missed_times_are_counted_from_the_last_schedule()
    {
        var cj = NewCronJob();
        cj.Status.LastScheduleTime = Created.UtcDateTime.AddSeconds(30);
        var (latest, missed) = CronSchedule.Parse(cj.Spec.Schedule, "UTC").MostRecent(cj, Created.AddMinutes(10));
        Assert.Equal((Created.AddSeconds(-30).AddMinutes(10), 9), (latest, missed));
        cj.Spec.StartingDeadlineSeconds = 150;
        Assert.Equal(2, CronSchedule.Parse(cj.Spec.Schedule, "UTC").MostRecent(cj, Created.AddMinutes(10)).Missed);
    }

    [Theory]
    [InlineData("@hourly", null, "2026-12-07T13:00:00Z")]
    [InlineData("0 9 * * *", "Europe/Paris", "2026-12-08T08:00:00Z")]
    [InlineData("30 2 * * 1-5", "UTC", "2026-12-08T02:30:00Z")]
    public void Schedules_take_macros_and_time_zones(string schedule, string? zone, string next) =>
        Assert.Equal(DateTimeOffset.Parse(next), CronSchedule.Parse(schedule, zone ?? "UTC").Next(Created));

    [Fact]
    public void Unparseable_schedules_and_zones_throw()
    {
        Assert.ThrowsAny<Exception>(() => CronSchedule.Parse("61 * * * *", "UTC"));
        Assert.Throws<TimeZoneNotFoundException>(() => CronSchedule.Parse("* * * * *", "Mars/Olympus"));
    }

    [Fact]
    public void History_limits_prune_the_oldest_finished_jobs()
    {
        V1Job Job(string name, string? result, int minute) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = Created.UtcDateTime.AddMinutes(minute) },
            Status = new V1JobStatus { Conditions = result is null ? null : [new V1JobCondition { Type = result, Status = "True" }] },
        };
        V1Job[] jobs = [Job("s1", "Complete", 1), Job("s2", "Complete", 2), Job("s3", "Complete", 3), Job("f1", "Failed", 4), Job("f2", "Failed", 5), Job("run", null, 6)];
        var cj = NewCronJob(keepSucceeded: 2);
        Assert.Equal(["s1", "f1"], CronJobDecisions.JobsToPrune(cj, jobs).Select(j => j.Metadata.Name));
        Assert.Equal("run", Assert.Single(CronJobDecisions.ActiveRefs(jobs)!).Name);
    }
}
