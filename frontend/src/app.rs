//! Root component: the session context and the router. Signed-in pages are nested under
//! [`Shell`], which loads the agent once and provides [`Ctx`] to every page.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::pages::{
    absence_form::NewAbsencePage,
    admin_agents::{AgentPage, AgentsPage},
    admin_lieux::{LieuPage, LieuxPage},
    admin_motifs::{MotifPage, MotifsPage},
    admin_organisation::OrganisationPage,
    admin_sectors::SectorsPage,
    admin_territory::TerritoryPage,
    agenda::AgendaPage,
    agenda_access::AgendaAccessPage,
    creneaux::CreneauxPage,
    exports::ExportsPage,
    home::HomePage,
    invitation::InvitationPage,
    login::LoginPage,
    my_account::MyAccountPage,
    not_found::NotFoundPage,
    password_reset::{ForgotPasswordPage, NewPasswordPage},
    plage_form::NewPlagePage,
    public_booking::{OrganisationBookingPage, PublicBookingPage},
    public_rdv::PublicRdvPage,
    public_stats::PublicStatsPage,
    rdv::RdvPage,
    rdv_form::NewRdvPage,
    rdv_link::RdvLinkPage,
    rdv_list::RdvListPage,
    shell::Shell,
    stats::StatsPage,
    usager::UsagerPage,
    usager_form::{EditUsagerPage, NewUsagerPage},
    usager_import::ImportUsagersPage,
    usager_merge::MergeUsagerPage,
    usagers::UsagersPage,
};
use crate::session::{self, SessionSignal};

#[component]
pub fn App() -> impl IntoView {
    let session: SessionSignal = RwSignal::new(session::load());
    provide_context(session);
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/connexion") view=LoginPage/>
                <Route path=path!("/invitation/:token") view=InvitationPage/>
                <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage/>
                <Route path=path!("/mot-de-passe/nouveau") view=NewPasswordPage/>
                <Route path=path!("/prendre-rdv") view=|| view! { <PublicBookingPage/> }/>
                // rdv-insertion's invitation links use the reference's path.
                <Route path=path!("/prendre_rdv") view=|| view! { <PublicBookingPage/> }/>
                <Route path=path!("/org/:id") view=OrganisationBookingPage/>
                <Route path=path!("/prendre-rdv/rdv/:token") view=PublicRdvPage/>
                <Route path=path!("/r/:token") view=RdvLinkPage/>
                <Route path=path!("/stats") view=PublicStatsPage/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("admin/organisation") view=OrganisationPage/>
                    <Route path=path!("admin/agents") view=AgentsPage/>
                    <Route path=path!("admin/agents/:id") view=AgentPage/>
                    <Route path=path!("admin/lieux") view=LieuxPage/>
                    <Route path=path!("admin/lieux/:id") view=LieuPage/>
                    <Route path=path!("admin/motifs") view=MotifsPage/>
                    <Route path=path!("admin/motifs/:id") view=MotifPage/>
                    <Route path=path!("admin/territoire") view=TerritoryPage/>
                    <Route path=path!("admin/secteurs") view=SectorsPage/>
                    <Route path=path!("mon-compte") view=MyAccountPage/>
                    <Route path=path!("agenda") view=AgendaPage/>
                    <Route path=path!("agents/:id/acces") view=AgendaAccessPage/>
                    <Route path=path!("creneaux") view=CreneauxPage/>
                    <Route path=path!("rdvs") view=RdvListPage/>
                    <Route path=path!("exports") view=ExportsPage/>
                    <Route path=path!("statistiques") view=StatsPage/>
                    <Route path=path!("rdvs/nouveau") view=NewRdvPage/>
                    <Route path=path!("rdvs/:id") view=RdvPage/>
                    <Route path=path!("plages/nouvelle") view=NewPlagePage/>
                    <Route path=path!("indisponibilites/nouvelle") view=NewAbsencePage/>
                    <Route path=path!("usagers") view=UsagersPage/>
                    <Route path=path!("usagers/nouveau") view=NewUsagerPage/>
                    <Route path=path!("usagers/import") view=ImportUsagersPage/>
                    <Route path=path!("usagers/:id") view=UsagerPage/>
                    <Route path=path!("usagers/:id/modifier") view=EditUsagerPage/>
                    <Route path=path!("usagers/:id/fusionner") view=MergeUsagerPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
