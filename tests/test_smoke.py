from tests.conftest import login, parse
from tests.factories import make_article, make_user


def test_login_and_see_article(app, client, db):
    user = make_user(db)
    result = make_article(db, actor=user)
    login(client, user.email)
    page = parse(client.get(f"/articles/{result.article.id}"))
    assert page.find("h1").get_text() == "Harbour Bridge Reopens"
