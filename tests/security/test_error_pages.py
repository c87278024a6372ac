"""Error pages are chibo's own, in Vietnamese, and never show what went wrong inside."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.urls("tests.security.urls")


def test_a_missing_page_answers_in_vietnamese(production, client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_refused_edit_answers_in_vietnamese(production, tree, viewer, client_for):
    response = client_for(viewer).get(reverse("unit_edit", args=[tree.district.pk]))

    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_a_server_error_shows_the_vietnamese_page_without_a_traceback(production, db):
    response = Client(raise_request_exception=False).get("/test-broken/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi máy chủ" in body
    assert "Traceback" not in body and "secret detail" not in body


def test_a_bad_request_shows_the_vietnamese_page_without_its_detail(production, db):
    response = Client().get("/test-suspicious/")

    body = response.content.decode()
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in body
    assert "secret detail" not in body


def test_a_form_without_its_csrf_token_is_refused_in_vietnamese(
    production, tree, secretary_a, client_for
):
    client = client_for(secretary_a)
    client.handler.enforce_csrf_checks = True

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert "Không gửi được biểu mẫu" in response.content.decode()
