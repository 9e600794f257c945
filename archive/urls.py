from django.urls import path

from archive import views
from archive.feeds import LatestArticles

app_name = "archive"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article_list"),
    path("feed/", LatestArticles(), name="feed"),
    path("articles/<int:pk>/", views.article_detail, name="article_short"),
    path("articles/<int:pk>/cite.<str:extension>", views.article_citation, name="article_citation"),
    path("articles/<int:pk>/<str:slug>/", views.article_detail, name="article"),
    path("provinces/", views.province_index, name="province_index"),
    path("provinces/2025/<slug:slug>/", views.current_province, name="current_province"),
    path("provinces/<slug:slug>/", views.province, name="province"),
    path("provinces/<slug:province_slug>/<slug:slug>/", views.district, name="district"),
    path("years/", views.year_index, name="year_index"),
    path("years/undated/", views.undated, name="undated"),
    path("years/<int:year>/", views.by_date, name="year"),
    path("years/<int:year>/<int:month>/", views.by_date, name="month"),
    path("officials/", views.official_index, name="official_index"),
    path("officials/<int:pk>/", views.official, name="official_short"),
    path("officials/<int:pk>/<str:slug>/", views.official, name="official"),
    path("terms/", views.term_index, name="term_index"),
    path("terms/<int:start>-<int:end>/", views.term, name="term"),
    path("statistics/", views.statistics_page, name="statistics"),
]
