"""Read models of the dashboards: the leaders' (红色预警, campaign progress, 我的联系单位) and
the office's (this week's completeness, reviews, follow-ups, deadlines, appeal windows)."""

from .leader import LeaderDashboard, leader_dashboard
from .office import OfficeDashboard, office_dashboard

__all__ = ["LeaderDashboard", "OfficeDashboard", "leader_dashboard", "office_dashboard"]
